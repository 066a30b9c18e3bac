// frontends/http/http_conn.cpp — see http_conn.hpp.
#include "frontends/http/http_conn.hpp"

#include <algorithm>
#include <charconv>

namespace frontends::http {
namespace {

using net::Err;

Connection* self(llhttp_t* p) { return static_cast<Connection*>(p->data); }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Names the core writes itself.
bool reserved_header(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") || iequals(name, "connection");
}

bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

void append_uint(std::string& s, uint64_t v, int base = 10) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, base);
  s.append(buf, static_cast<size_t>(r.ptr - buf));
}

}  // namespace

Connection::Connection(const Limits& lim, net::Instant now)
    : lim_(lim), in_(kMaxInputLen), out_(kMaxOutputLen), now_(now), idle_since_(now), out_progress_(now) {
  lim_.max_body_len = std::min(lim_.max_body_len, kMaxBodyLenCeiling);
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &Connection::on_message_begin;
  settings_.on_url = &Connection::on_url;
  settings_.on_header_field = &Connection::on_header_field;
  settings_.on_header_value = &Connection::on_header_value;
  settings_.on_header_value_complete = &Connection::on_header_value_complete;
  settings_.on_headers_complete = &Connection::on_headers_complete;
  settings_.on_body = &Connection::on_body;
  settings_.on_message_complete = &Connection::on_message_complete;
  llhttp_init(&parser_, HTTP_REQUEST, &settings_);
  parser_.data = this;
}

// ---- llhttp callbacks: they only collect; decisions are made in process()
// after llhttp pauses, except for limits that bound what we collect.

int Connection::user_error(int status, std::string why) {
  error_status_ = status;
  error_why_ = std::move(why);
  return HPE_USER;
}

int Connection::on_message_begin(llhttp_t* p) {
  Connection* c = self(p);
  c->state_ = State::head;
  c->msg_start_ = c->now_;
  c->req_ = Request{};
  c->field_.clear();
  c->in_value_ = false;
  c->header_count_ = 0;
  return 0;
}

int Connection::on_url(llhttp_t* p, const char* at, size_t n) {
  Connection* c = self(p);
  if (n > c->lim_.max_url_len - std::min(c->lim_.max_url_len, c->req_.target.size()))
    return c->user_error(414, "http: request-target exceeds " + std::to_string(c->lim_.max_url_len) + " bytes");
  c->req_.target.append(at, n);
  return 0;
}

int Connection::on_header_field(llhttp_t* p, const char* at, size_t n) {
  Connection* c = self(p);
  if (c->in_value_) {  // a new field starts: the previous one is complete
    c->in_value_ = false;
    c->field_.clear();
  }
  // The raw head check in process() is exact; this bounds what we collect
  // inside one large read.
  if (c->field_.size() + n > c->lim_.max_head_len)
    return c->user_error(431, "http: request head exceeds " + std::to_string(c->lim_.max_head_len) + " bytes");
  c->field_.append(at, n);
  return 0;
}

int Connection::on_header_value(llhttp_t* p, const char* at, size_t n) {
  Connection* c = self(p);
  if (!c->in_value_) {
    if (c->header_count_ >= c->lim_.max_headers)
      return c->user_error(431, "http: more than " + std::to_string(c->lim_.max_headers) + " header fields");
    c->header_count_++;
    c->in_value_ = true;
    c->req_.headers.push_back({c->field_, {}});
  }
  std::string& v = c->req_.headers.back().value;
  if (v.size() + n > c->lim_.max_head_len)
    return c->user_error(431, "http: request head exceeds " + std::to_string(c->lim_.max_head_len) + " bytes");
  v.append(at, n);
  return 0;
}

int Connection::on_header_value_complete(llhttp_t* p) {
  Connection* c = self(p);
  if (!c->in_value_) {  // a field with an empty value: on_header_value never ran
    if (c->header_count_ >= c->lim_.max_headers)
      return c->user_error(431, "http: more than " + std::to_string(c->lim_.max_headers) + " header fields");
    c->header_count_++;
    c->req_.headers.push_back({c->field_, {}});
  } else {
    std::string& v = c->req_.headers.back().value;
    std::string_view t = trim_ows(v);
    if (t.size() != v.size()) v = std::string(t);
  }
  c->in_value_ = false;
  c->field_.clear();
  return 0;
}

int Connection::on_headers_complete(llhttp_t* p) {
  Connection* c = self(p);
  c->pause_ = Pause::headers;
  return HPE_PAUSED;
}

int Connection::on_body(llhttp_t* p, const char* at, size_t n) {
  Connection* c = self(p);
  if (n > c->lim_.max_body_len - std::min(c->lim_.max_body_len, c->req_.body.size()))
    return c->user_error(413, "http: request body exceeds " + std::to_string(c->lim_.max_body_len) + " bytes");
  c->req_.body.append(at, n);
  return 0;
}

int Connection::on_message_complete(llhttp_t* p) {
  Connection* c = self(p);
  c->pause_ = Pause::message;
  return HPE_PAUSED;
}

// ---- input

net::Status Connection::feed(net::BytesView in, net::Instant now) {
  now_ = now;
  if (aborted_) return {};
  if (in.empty()) return {};
  if (closing_) return {};  // discard: the connection ends after what is queued
  if (!in_.append(in)) return {Err::limit, "http: input buffer full"};
  process();
  return {};
}

void Connection::feed_eof(net::Instant now) {
  now_ = now;
  eof_ = true;
  // A request cut short gets no answer; one being answered finishes first.
  if (state_ == State::head || state_ == State::body || state_ == State::idle) {
    if (state_ != State::idle) last_error_ = "http: connection closed inside a request";
    state_ = State::idle;
    in_.clear();
  }
  closing_ = true;
}

void Connection::process() {
  // After the head, llhttp must run once more even with no input left: a
  // request without a body completes without consuming a byte.
  bool kick = false;
  static const char kEmpty[1] = {0};
  while (!closing_ && (!in_.empty() || kick) &&
         (state_ == State::idle || state_ == State::head || state_ == State::body)) {
    kick = false;
    net::BytesView data = in_.data();
    if (state_ == State::idle) {
      // RFC 9112 §2.2: empty lines before a request-line are ignored (and
      // not counted as head bytes).
      size_t skip = 0;
      while (skip < data.size() && (data[skip] == '\r' || data[skip] == '\n')) skip++;
      if (skip > 0) {
        in_.consume(skip);
        continue;
      }
    }
    bool in_head = state_ == State::idle || state_ == State::head;
    // A head is never parsed past max_head_len + 1 bytes, so the limit
    // fires at the same byte however the input is split.
    if (in_head) data = data.first(std::min(data.size(), lim_.max_head_len - std::min(lim_.max_head_len, head_len_) + 1));
    const char* begin = data.empty() ? kEmpty : reinterpret_cast<const char*>(data.data());
    pause_ = Pause::none;
    llhttp_errno_t rc = llhttp_execute(&parser_, begin, data.size());
    size_t used = data.size();
    if (rc == HPE_PAUSED || rc == HPE_PAUSED_UPGRADE) {
      used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - begin);
      if (rc == HPE_PAUSED_UPGRADE) {
        // Upgrade (or CONNECT) request complete: we do not switch protocols;
        // it is answered like any request and the connection then closes.
        pause_ = Pause::message;
        close_after_ = true;
      } else {
        llhttp_resume(&parser_);
      }
    } else if (rc != HPE_OK) {
      if (rc == HPE_USER) {
        refuse(error_status_, error_why_);
      } else {
        const char* reason = llhttp_get_error_reason(&parser_);
        std::string why = std::string("http: ") + (reason && *reason ? reason : llhttp_errno_name(rc));
        refuse(rc == HPE_INVALID_VERSION ? 505 : 400, why);
      }
      return;
    }
    if (in_head && state_ != State::idle) {
      // Bytes of the head: all of them unless the head ended inside this
      // run (paused at headers complete; state is still head).
      head_len_ += used;
      if (head_len_ > lim_.max_head_len) {
        refuse(431, "http: request head exceeds " + std::to_string(lim_.max_head_len) + " bytes");
        return;
      }
    }
    in_.consume(used);
    if (pause_ == Pause::headers) {
      if (!after_head()) return;
      state_ = State::body;
      kick = true;
    } else if (pause_ == Pause::message) {
      state_ = State::ready;
      req_.method = llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
      req_.version_minor = parser_.http_minor;
      // Upgrade (WebSocket, h2c) is not supported: answered, then closed.
      if (parser_.upgrade) close_after_ = true;
      req_.keep_alive = llhttp_should_keep_alive(&parser_) != 0 && !close_after_;
      head_len_ = 0;
      return;
    }
  }
}

// The head is complete (llhttp paused): check it before reading a body.
bool Connection::after_head() {
  if (parser_.http_major != 1 || parser_.http_minor > 1) {
    refuse(505, "http: version " + std::to_string(parser_.http_major) + "." + std::to_string(parser_.http_minor) +
                    " not supported");
    return false;
  }
  // Request-target: origin-form, absolute-form, or "*" for OPTIONS (RFC 9112 §3.2).
  std::string_view t = req_.target;
  std::string_view path;
  if (!t.empty() && t[0] == '/') {
    path = t;
  } else if (t.size() > 7 && (iequals(t.substr(0, 7), "http://") || (t.size() > 8 && iequals(t.substr(0, 8), "https://")))) {
    size_t slash = t.find('/', t[4] == ':' ? 7 : 8);
    path = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
  } else if (t == "*" && parser_.method == HTTP_OPTIONS) {
    path = "*";
  } else {
    refuse(400, "http: request-target must start with '/'");
    return false;
  }
  size_t q = path.find('?');
  req_.path = std::string(path.substr(0, q));
  req_.query = q == std::string_view::npos ? std::string() : std::string(path.substr(q + 1));
  if (req_.path.empty()) req_.path = "/";
  // RFC 9112 §3.2: exactly one Host in HTTP/1.1.
  if (parser_.http_minor == 1) {
    size_t hosts = 0;
    for (const Header& h : req_.headers) hosts += iequals(h.name, "host");
    if (hosts != 1) {
      refuse(400, hosts == 0 ? "http: missing Host header" : "http: more than one Host header");
      return false;
    }
  }
  bool chunked = (parser_.flags & F_CHUNKED) != 0;
  bool has_body = chunked || parser_.content_length > 0;
  if (!chunked && (parser_.flags & F_CONTENT_LENGTH) && parser_.content_length > lim_.max_body_len) {
    refuse(413, "http: request body exceeds " + std::to_string(lim_.max_body_len) + " bytes");
    return false;
  }
  if (const std::string* e = req_.header("expect")) {
    if (!iequals(*e, "100-continue")) {
      refuse(417, "http: unsupported expectation");
      return false;
    }
    if (has_body && parser_.http_minor == 1) {
      if (!append_out("HTTP/1.1 100 Continue\r\n\r\n")) {
        aborted_ = true;
        return false;
      }
    }
  }
  return true;
}

std::optional<Request> Connection::poll_request() {
  if (state_ != State::ready) return std::nullopt;
  state_ = State::handling;
  requests_++;
  if (!req_.keep_alive || requests_ >= lim_.max_requests) close_after_ = true;
  head_request_ = req_.method == "HEAD";
  answer_minor_ = req_.version_minor;
  Request r = std::move(req_);
  req_ = Request{};
  return r;
}

// ---- output

void Connection::refuse(int status, const std::string& why) {
  last_error_ = why;
  in_.clear();
  state_ = State::idle;
  closing_ = true;
  std::string body = why.substr(why.rfind("http: ", 0) == 0 ? 6 : 0);
  body.push_back('\n');
  std::string s = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                  "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\nConnection: close\r\n\r\n" + body;
  if (!append_out(s)) aborted_ = true;
}

void Connection::write_head(int status, const std::vector<Header>& headers, bool chunked, size_t content_len,
                            bool has_len) {
  std::string s;
  s.reserve(128 + headers.size() * 48);
  s.append("HTTP/1.1 ");
  append_uint(s, static_cast<uint64_t>(status));
  s.push_back(' ');
  s.append(reason_phrase(status));
  s.append("\r\n");
  for (const Header& h : headers) {
    if (reserved_header(h.name)) continue;
    s.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (chunked) s.append("Transfer-Encoding: chunked\r\n");
  if (has_len) {
    s.append("Content-Length: ");
    append_uint(s, content_len);
    s.append("\r\n");
  }
  if (close_after_) {
    s.append("Connection: close\r\n");
  } else if (answer_minor_ == 0) {
    s.append("Connection: keep-alive\r\n");
  }
  s.append("\r\n");
  if (!append_out(s)) aborted_ = true;
}


net::Status Connection::respond(Response r, net::Instant now) {
  now_ = now;
  if (state_ != State::handling) return {Err::invalid, "http: no request to answer"};
  for (const Header& h : r.headers) {
    if (!valid_header_name(h.name) || !valid_header_value(h.value)) {
      std::string name = valid_header_name(h.name) ? h.name : "(bad name)";
      (void)respond(Response::text(500, "invalid response header"), now);
      return {Err::invalid, "http: invalid header " + name};
    }
  }
  if (r.status < 200 || r.status > 999) {
    (void)respond(Response::text(500, "invalid response status"), now);
    return {Err::invalid, "http: invalid status " + std::to_string(r.status)};
  }
  bool body = status_has_body(r.status);
  if (out_.size() + r.body.size() + 4096 > kMaxOutputLen) {
    (void)respond(Response::text(500, "response too large"), now);
    return {Err::limit, "http: output buffer full"};
  }
  write_head(r.status, r.headers, false, r.body.size(), r.status != 204 && r.status != 304);
  if (body && !head_request_ && !r.body.empty() && !append_out(r.body)) aborted_ = true;
  finish_answer();
  return {};
}

net::Status Connection::begin_stream(int status, std::vector<Header> headers, net::Instant now) {
  now_ = now;
  if (state_ != State::handling) return {Err::invalid, "http: no request to answer"};
  for (const Header& h : headers) {
    if (!valid_header_name(h.name) || !valid_header_value(h.value)) {
      (void)respond(Response::text(500, "invalid response header"), now);
      return {Err::invalid, "http: invalid header " + (valid_header_name(h.name) ? h.name : std::string("(bad name)"))};
    }
  }
  if (status < 200 || status > 999 || !status_has_body(status)) {
    (void)respond(Response::text(500, "invalid response status"), now);
    return {Err::invalid, "http: invalid status " + std::to_string(status)};
  }
  state_ = State::streaming;
  // HTTP/1.0 has no chunked coding: the body ends with the connection.
  chunked_out_ = answer_minor_ == 1;
  if (!chunked_out_) close_after_ = true;
  write_head(status, headers, chunked_out_, 0, false);
  return {};
}

net::Status Connection::write_stream(std::string_view data, net::Instant now) {
  now_ = now;
  if (state_ != State::streaming) return {Err::invalid, "http: no stream"};
  if (data.empty() || head_request_ || aborted_) return {};
  if (out_.size() + data.size() + 32 > kMaxOutputLen) {
    aborted_ = true;
    last_error_ = "http: output buffer full";
    return {Err::limit, "http: output buffer full"};
  }
  bool ok = true;
  if (chunked_out_) {
    std::string size;
    append_uint(size, data.size(), 16);
    size.append("\r\n");
    ok = append_out(size) && append_out(data) && append_out("\r\n");
  } else {
    ok = append_out(data);
  }
  if (!ok) aborted_ = true;
  return {};
}

net::Status Connection::end_stream(net::Instant now) {
  now_ = now;
  if (state_ != State::streaming) return {Err::invalid, "http: no stream"};
  if (chunked_out_ && !head_request_ && !append_out("0\r\n\r\n")) aborted_ = true;
  finish_answer();
  return {};
}

void Connection::finish_answer() {
  state_ = State::idle;
  idle_since_ = now_;
  head_len_ = 0;
  chunked_out_ = false;
  head_request_ = false;
  if (close_after_ || eof_) {
    closing_ = true;
    in_.clear();
    return;
  }
  process();  // a pipelined request may be waiting
}

void Connection::close_after_response() {
  close_after_ = true;
  if (state_ == State::idle || state_ == State::head || state_ == State::body) {
    closing_ = true;
    in_.clear();
  }
}

void Connection::consume_output(size_t n, net::Instant now) {
  now_ = now;
  n = std::min(n, out_.size());
  out_.consume(n);
  if (n > 0) out_progress_ = now;
  if (out_.empty()) out_.release();
}

bool Connection::append_out(std::string_view s) {
  if (out_.empty()) out_progress_ = now_;  // the stall clock starts with queued output
  return out_.append({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

net::Instant Connection::next_deadline() const {
  if (aborted_) return net::kNever;
  net::Instant d = net::kNever;
  if (!out_.empty()) d = out_progress_ + lim_.write_stall_timeout_ns;
  switch (state_) {
    case State::idle:
      if (!closing_) d = std::min(d, idle_since_ + lim_.idle_timeout_ns);
      break;
    case State::head: d = std::min(d, msg_start_ + lim_.head_timeout_ns); break;
    case State::body: d = std::min(d, msg_start_ + lim_.read_timeout_ns); break;
    default: break;
  }
  return d;
}

void Connection::on_timeout(net::Instant now) {
  now_ = now;
  if (aborted_) return;
  if (!out_.empty() && now >= out_progress_ + lim_.write_stall_timeout_ns) {
    aborted_ = true;
    last_error_ = "http: client took no output for " + std::to_string(lim_.write_stall_timeout_ns / net::kSecond) + " s";
    return;
  }
  if (state_ == State::head && now >= msg_start_ + lim_.head_timeout_ns) {
    refuse(408, "http: request head not complete within " + std::to_string(lim_.head_timeout_ns / net::kSecond) + " s");
  } else if (state_ == State::body && now >= msg_start_ + lim_.read_timeout_ns) {
    refuse(408, "http: request body not complete within " + std::to_string(lim_.read_timeout_ns / net::kSecond) + " s");
  } else if (state_ == State::idle && !closing_ && now >= idle_since_ + lim_.idle_timeout_ns) {
    closing_ = true;
  }
}

}  // namespace frontends::http
