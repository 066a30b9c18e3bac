#include "p2p/perf/perf.hpp"

#include <algorithm>
#include <string>

namespace p2p::perf {

using net::BytesView;
using net::Err;
using net::Result;
using net::Status;

namespace {

// Never written: zero-initialised storage (.bss), so it costs no binary size.
alignas(64) uint8_t g_zeros[kChunkLen];

constexpr double kMiB = 1024.0 * 1024.0;

double secs(net::Instant from, net::Instant to) {
  return to > from ? static_cast<double>(to - from) / static_cast<double>(net::kSecond) : 0.0;
}
double rate(uint64_t bytes, double s) { return s > 0 ? static_cast<double>(bytes) / kMiB / s : 0.0; }

}  // namespace

BytesView zero_chunk() { return {g_zeros, kChunkLen}; }

// ---- Client ---------------------------------------------------------------------

Client::Client(ClientOptions opt, net::Instant now, net::Log* log) : opt_(opt), log_(log), start_(now) {
  requested_ = opt_.download_ns > 0 ? kUnlimited : opt_.download_bytes;
  for (size_t i = 0; i < kHeaderLen; ++i) header_[i] = static_cast<uint8_t>(requested_ >> (8 * (kHeaderLen - 1 - i)));
}

Status Client::fail(net::Error e) {
  if (state_ != State::failed) {
    state_ = State::failed;
    error_ = std::move(e);
    AAC_LOG(log_, debug, "perf", "client failed", {{"err", net::err_name(error_.code)}, {"why", error_.what}});
  }
  return error_;
}

BytesView Client::pending_output() const {
  switch (state_) {
    case State::header:
      return BytesView(header_).subspan(header_pos_);
    case State::uploading: {
      if (opt_.upload_ns > 0) return zero_chunk();
      const uint64_t left = opt_.upload_bytes - uploaded_;
      return zero_chunk().first(static_cast<size_t>(std::min<uint64_t>(left, kChunkLen)));
    }
    default:
      return {};
  }
}

void Client::upload_written() {
  if (state_ == State::uploading && opt_.upload_ns == 0 && uploaded_ == opt_.upload_bytes) state_ = State::closing;
}

void Client::consume_output(size_t n) {
  if (state_ == State::header) {
    const size_t h = std::min(n, kHeaderLen - header_pos_);
    header_pos_ += h;
    n -= h;
    if (header_pos_ < kHeaderLen) return;
    state_ = State::uploading;
    upload_written();  // nothing to upload
  }
  if (state_ == State::uploading) {
    const uint64_t cap = opt_.upload_ns > 0 ? n : std::min<uint64_t>(n, opt_.upload_bytes - uploaded_);
    uploaded_ += cap;
    upload_written();
  }
}

void Client::on_write_closed(net::Instant now) {
  if (state_ != State::closing) return;
  state_ = State::downloading;
  write_closed_ = now;
}

Result<size_t> Client::feed(BytesView in, net::Instant now) {
  (void)now;
  if (state_ == State::failed) return error_;
  if (in.empty() || state_ == State::done) return in.size();  // a timed download's tail
  if (state_ != State::downloading && state_ != State::closing)
    return fail({Err::proto, "perf: server sent " + std::to_string(in.size()) + " bytes before our upload ended"})
        .take_error();
  if (requested_ != kUnlimited && in.size() > requested_ - downloaded_)
    return fail({Err::proto, "perf: server sent more than the " + std::to_string(requested_) + " bytes asked for"})
        .take_error();
  downloaded_ += in.size();
  return in.size();
}

void Client::finish(net::Instant now) {
  state_ = State::done;
  result_.upload_bytes = uploaded_;
  result_.download_bytes = downloaded_;
  result_.seconds = secs(start_, now);
  result_.upload_seconds = secs(start_, write_closed_);
  result_.download_seconds = secs(write_closed_, now);
  result_.upload_mib_s = rate(uploaded_, result_.upload_seconds);
  result_.download_mib_s = rate(downloaded_, result_.download_seconds);
}

Status Client::on_eof(net::Instant now) {
  if (state_ == State::failed) return error_;
  if (state_ == State::done) return {};
  if (state_ != State::downloading) return fail({Err::proto, "perf: stream ended during our upload"});
  if (requested_ != kUnlimited && downloaded_ != requested_)
    return fail({Err::proto, "perf: stream ended after " + std::to_string(downloaded_) + " of " +
                                 std::to_string(requested_) + " bytes"});
  finish(now);
  return {};
}

net::Instant Client::next_deadline() const {
  if (state_ == State::done || state_ == State::failed) return net::kNever;
  net::Instant d = start_ + opt_.timeout_ns;
  if (state_ == State::uploading && opt_.upload_ns > 0) d = std::min(d, start_ + opt_.upload_ns);
  if (state_ == State::downloading && opt_.download_ns > 0) d = std::min(d, write_closed_ + opt_.download_ns);
  return d;
}

void Client::on_timeout(net::Instant now) {
  if (state_ == State::done || state_ == State::failed) return;
  if (now >= start_ + opt_.timeout_ns) {
    (void)fail({Err::timeout, "perf: run not finished within " + std::to_string(opt_.timeout_ns / net::kSecond) + " s"});
    return;
  }
  if (state_ == State::uploading && opt_.upload_ns > 0 && now >= start_ + opt_.upload_ns) state_ = State::closing;
  if (state_ == State::downloading && opt_.download_ns > 0 && now >= write_closed_ + opt_.download_ns) finish(now);
}

// ---- Server ---------------------------------------------------------------------

Server::Server(net::Instant now, Limits lim, net::Log* log) : lim_(lim), log_(log), last_(now) {}

Status Server::fail(net::Error e) {
  if (state_ != State::failed) {
    state_ = State::failed;
    error_ = std::move(e);
    AAC_LOG(log_, debug, "perf", "server failed", {{"err", net::err_name(error_.code)}, {"why", error_.what}});
  }
  return error_;
}

Result<size_t> Server::feed(BytesView in, net::Instant now) {
  if (state_ == State::failed) return error_;
  if (state_ == State::sending || state_ == State::done) return fail({Err::closed, "perf: data after EOF"}).take_error();
  if (!in.empty()) last_ = now;
  size_t used = 0;
  if (state_ == State::header) {
    const size_t take = std::min(kHeaderLen - header_len_, in.size());
    std::copy(in.begin(), in.begin() + static_cast<ptrdiff_t>(take), header_.begin() + static_cast<ptrdiff_t>(header_len_));
    header_len_ += take;
    used = take;
    if (header_len_ < kHeaderLen) return used;
    requested_ = 0;
    for (uint8_t b : header_) requested_ = (requested_ << 8) | b;  // u64 big-endian
    if (requested_ != kUnlimited && requested_ > lim_.max_send_bytes)
      return fail({Err::limit, "perf: asked for " + std::to_string(requested_) + " bytes, more than the limit of " +
                                   std::to_string(lim_.max_send_bytes)})
          .take_error();
    state_ = State::draining;
  }
  received_ += in.size() - used;  // the upload is only counted
  return in.size();
}

Status Server::on_eof(net::Instant now) {
  if (state_ == State::failed) return error_;
  if (state_ == State::header)
    return fail({Err::proto, "perf: stream ended inside the 8-byte header (" + std::to_string(header_len_) + " bytes)"});
  if (state_ != State::draining) return {};
  send_start_ = now;
  state_ = requested_ == 0 ? State::done : State::sending;
  return {};
}

BytesView Server::pending_output() const {
  if (state_ != State::sending) return {};
  if (requested_ == kUnlimited) return zero_chunk();
  return zero_chunk().first(static_cast<size_t>(std::min<uint64_t>(requested_ - sent_, kChunkLen)));
}

void Server::consume_output(size_t n) {
  if (state_ != State::sending) return;
  if (requested_ == kUnlimited) {
    sent_ += n;
    return;
  }
  sent_ += std::min<uint64_t>(n, requested_ - sent_);
  if (sent_ == requested_) state_ = State::done;
}

net::Instant Server::next_deadline() const {
  switch (state_) {
    case State::header:
    case State::draining:
      return last_ + lim_.idle_timeout_ns;
    case State::sending:
      return send_start_ + lim_.max_send_ns;
    default:
      return net::kNever;
  }
}

void Server::on_timeout(net::Instant now) {
  if (now < next_deadline()) return;
  if (state_ == State::header || state_ == State::draining) {
    (void)fail({Err::timeout, "perf: client sent nothing for " + std::to_string(lim_.idle_timeout_ns / net::kSecond) + " s"});
  } else if (state_ == State::sending) {
    if (requested_ == kUnlimited) {
      state_ = State::done;
    } else {
      (void)fail({Err::timeout, "perf: sending " + std::to_string(requested_) + " bytes took more than " +
                                    std::to_string(lim_.max_send_ns / net::kSecond) + " s"});
    }
  }
}

}  // namespace p2p::perf
