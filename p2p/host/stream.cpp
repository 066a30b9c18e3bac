#include "p2p/host/stream.hpp"

#include "p2p/host/connection.hpp"
#include "p2p/host/host.hpp"

namespace p2p {

Stream::~Stream() {
  // The connection is alive while it owns us; its host keeps the index.
  conn_->host_streams_erase(gid_);
}

const PeerId& Stream::remote_peer() const { return conn_->peer(); }
ConnId Stream::conn_id() const { return conn_->id(); }
std::string Stream::remote_addr() const { return conn_->remote_addr().to_string(); }

size_t Stream::write(net::BytesView data) { return conn_->stream_write(*this, data); }
size_t Stream::writable() const { return conn_->stream_writable(*this); }
void Stream::close_write() { conn_->stream_close_write(*this); }
void Stream::reset() { conn_->stream_reset(*this); }
void Stream::resume_read() { conn_->stream_resume(*this); }

}  // namespace p2p
