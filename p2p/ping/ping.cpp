#include "p2p/ping/ping.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace p2p::ping {

using net::BytesView;
using net::Err;
using net::Result;
using net::Status;

// ---- Dialer ---------------------------------------------------------------------

Dialer::Dialer(Limits lim, net::Log* log) : lim_(lim), log_(log) {}

Status Dialer::fail(net::Error e) {
  if (!failed()) {
    error_ = std::move(e);
    AAC_LOG(log_, debug, "ping", "dialer failed", {{"err", net::err_name(error_.code)}, {"why", error_.what}});
  }
  return error_;
}

Status Dialer::ping(std::span<const uint8_t, kPayloadLen> payload, net::Instant now) {
  if (failed()) return error_;
  if (closed_) return {Err::closed, "ping: write side closed"};
  if (in_flight_) return {Err::invalid, "ping: a ping is already in flight"};
  std::copy(payload.begin(), payload.end(), out_.begin());
  std::copy(payload.begin(), payload.end(), sent_.begin());
  out_len_ = kPayloadLen;
  out_pos_ = 0;
  matched_ = 0;
  in_flight_ = true;
  sent_at_ = now;
  return {};
}

void Dialer::consume_output(size_t n) {
  out_pos_ += std::min(n, out_len_ - out_pos_);
  if (out_pos_ == out_len_) out_pos_ = out_len_ = 0;
}

Result<size_t> Dialer::feed(BytesView in, net::Instant now) {
  if (failed()) return error_;
  size_t used = 0;
  while (used < in.size()) {
    if (!in_flight_)
      return fail({Err::proto, "ping: " + std::to_string(in.size() - used) + " bytes arrived with no ping in flight"})
          .take_error();
    const size_t take = std::min(kPayloadLen - matched_, in.size() - used);
    for (size_t i = 0; i < take; ++i)
      if (in[used + i] != sent_[matched_ + i])
        return fail({Err::proto, "ping: echo differs from the payload at byte " + std::to_string(matched_ + i)})
            .take_error();
    matched_ += take;
    used += take;
    if (matched_ == kPayloadLen) {
      in_flight_ = false;
      ++answered_;
      rtts_.push_back(now >= sent_at_ ? now - sent_at_ : 0);
    }
  }
  return used;
}

std::optional<uint64_t> Dialer::poll_rtt() {
  if (rtts_.empty()) return std::nullopt;
  uint64_t r = rtts_.front();
  rtts_.pop_front();
  return r;
}

Status Dialer::on_eof() {
  if (failed()) return error_;
  if (in_flight_) return fail({Err::closed, "ping: stream closed with a ping in flight"});
  return {};
}

net::Instant Dialer::next_deadline() const {
  if (failed() || !in_flight_) return net::kNever;
  return sent_at_ + lim_.timeout_ns;
}

void Dialer::on_timeout(net::Instant now) {
  if (failed() || !in_flight_ || now < sent_at_ + lim_.timeout_ns) return;
  (void)fail({Err::timeout, "ping: no echo within " + std::to_string(lim_.timeout_ns / net::kSecond) + " s"});
}

// ---- Responder ------------------------------------------------------------------

Responder::Responder(net::Instant now, Limits lim, net::Log* log) : lim_(lim), log_(log), last_(now) {}

Result<size_t> Responder::feed(BytesView in, net::Instant now) {
  if (failed()) return error_;
  if (eof_) {
    error_ = {Err::closed, "ping: data after EOF"};
    return error_;
  }
  size_t used = 0;
  while (used < in.size() && pending_output().size() < lim_.max_echo_buffered) {
    const size_t take = std::min(kPayloadLen - partial_len_, in.size() - used);
    if (partial_len_ == 0 && take == kPayloadLen) {
      out_.insert(out_.end(), in.begin() + static_cast<ptrdiff_t>(used),
                  in.begin() + static_cast<ptrdiff_t>(used + kPayloadLen));
    } else {
      std::memcpy(partial_.data() + partial_len_, in.data() + used, take);
      partial_len_ += take;
      if (partial_len_ == kPayloadLen) {
        out_.insert(out_.end(), partial_.begin(), partial_.end());
        partial_len_ = 0;
      }
    }
    used += take;
    if (partial_len_ == 0) {  // a whole payload went out
      ++echoed_;
      last_ = now;
    }
  }
  return used;
}

void Responder::consume_output(size_t n) {
  out_pos_ += std::min(n, out_.size() - out_pos_);
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ >= lim_.max_echo_buffered) {
    out_.erase(out_.begin(), out_.begin() + static_cast<ptrdiff_t>(out_pos_));
    out_pos_ = 0;
  }
}

net::Instant Responder::next_deadline() const {
  if (failed() || eof_) return net::kNever;
  return last_ + lim_.idle_timeout_ns;
}

void Responder::on_timeout(net::Instant now) {
  if (failed() || eof_ || now < last_ + lim_.idle_timeout_ns) return;
  error_ = {Err::timeout, "ping: no ping for " + std::to_string(lim_.idle_timeout_ns / net::kSecond) + " s"};
  AAC_LOG(log_, debug, "ping", "responder idle", {{"echoed", echoed_}});
}

}  // namespace p2p::ping
