#include "p2p/services/echo_service.hpp"

namespace p2p::services {

EchoService::EchoService(Host& host) : host_(host) {
  host_.set_stream_handler(std::string(kEchoProtocol), [](Stream& s) {
    Stream* sp = &s;
    // Back-pressure: what the peer's window cannot take stays buffered on
    // our receive side until on_writable.
    s.set_on_data([sp](net::BytesView v) { return sp->write(v); });
    s.set_on_writable([sp] { sp->resume_read(); });
    s.set_on_eof([sp] { sp->close_write(); });
  });
  host_.set_stream_handler(std::string(kResetProtocol), [](Stream& s) {
    Stream* sp = &s;
    s.set_on_data([sp](net::BytesView v) {
      sp->reset();
      return v.size();
    });
  });
}

EchoService::~EchoService() {
  host_.remove_stream_handler(std::string(kEchoProtocol));
  host_.remove_stream_handler(std::string(kResetProtocol));
}

}  // namespace p2p::services
