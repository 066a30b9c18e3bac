// frontends/a2a_client/http_response.cpp — see http_response.hpp.
#include "frontends/a2a_client/http_response.hpp"

#include <cctype>

#include "build_info.hpp"

namespace frontends::a2a_client {

namespace {

ResponseParser* self(llhttp_t* p) { return static_cast<ResponseParser*>(p->data); }

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace

std::string write_request(const AgentUrl& url, std::string_view body) {
  std::string r;
  r.reserve(256 + body.size());
  r.append("POST ").append(url.target).append(" HTTP/1.1\r\nHost: ").append(url.host_header);
  r.append("\r\nUser-Agent: agentanycastd/").append(build_info::kVersion);
  r.append("\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: ");
  r.append(std::to_string(body.size())).append("\r\nConnection: close\r\n\r\n").append(body);
  return r;
}

ResponseParser::ResponseParser(ResponseLimits lim) : lim_(lim) {
  llhttp_settings_init(&settings_);
  settings_.on_header_field = on_header_field;
  settings_.on_header_value = on_header_value;
  settings_.on_header_value_complete = on_header_value_complete;
  settings_.on_headers_complete = on_headers_complete;
  settings_.on_body = on_body;
  settings_.on_message_complete = on_message_complete;
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
}

void ResponseParser::reset_message() {
  field_.clear();
  value_.clear();
  in_value_ = false;
  headers_ = 0;
  head_done_ = false;
  content_type_.clear();
  body_.clear();
}

int ResponseParser::on_header_field(llhttp_t* p, const char* at, size_t n) {
  auto* s = self(p);
  if (s->in_value_) {
    s->field_.clear();
    s->in_value_ = false;
  }
  if (s->field_.size() + n > s->lim_.max_head_len) return s->head_too_long();
  s->field_.append(at, n);
  return 0;
}

int ResponseParser::on_header_value(llhttp_t* p, const char* at, size_t n) {
  auto* s = self(p);
  if (!s->in_value_) {
    s->value_.clear();
    s->in_value_ = true;
  }
  if (s->value_.size() + n > s->lim_.max_head_len) return s->head_too_long();
  s->value_.append(at, n);
  return 0;
}

int ResponseParser::head_too_long() {
  error_code_ = net::Err::limit;
  error_ = "http: response head exceeds " + std::to_string(lim_.max_head_len) + " bytes";
  return -1;
}

int ResponseParser::on_header_value_complete(llhttp_t* p) {
  auto* s = self(p);
  if (++s->headers_ > s->lim_.max_headers) {
    s->error_code_ = net::Err::limit;
    s->error_ = "http: response has more than " + std::to_string(s->lim_.max_headers) + " header fields";
    return -1;
  }
  if (lower(s->field_) == "content-type") s->content_type_ = lower(s->value_);
  s->field_.clear();
  s->in_value_ = false;
  return 0;
}

// Pauses so feed() can measure the head (llhttp_get_error_pos).
int ResponseParser::on_headers_complete(llhttp_t* p) {
  auto* s = self(p);
  s->status_ = p->status_code;
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > s->lim_.max_body_len) {
    s->error_code_ = net::Err::limit;
    s->error_ = "http: response body of " + std::to_string(p->content_length) + " bytes exceeds " +
                std::to_string(s->lim_.max_body_len) + " bytes";
    return -1;
  }
  return HPE_PAUSED;
}

int ResponseParser::on_body(llhttp_t* p, const char* at, size_t n) {
  auto* s = self(p);
  if (s->body_.size() + n > s->lim_.max_body_len) {
    s->error_code_ = net::Err::limit;
    s->error_ = "http: response body exceeds " + std::to_string(s->lim_.max_body_len) + " bytes";
    return -1;
  }
  s->body_.append(at, n);
  return 0;
}

int ResponseParser::on_message_complete(llhttp_t* p) {
  (void)p;
  return HPE_PAUSED;
}

net::Error ResponseParser::fail(net::Err code, std::string why) {
  failed_ = true;
  return {code, std::move(why)};
}

net::Status ResponseParser::feed(net::BytesView data) {
  if (failed_) return net::Error{net::Err::proto, "http: response parser failed"};
  const char* at = reinterpret_cast<const char*>(data.data());
  size_t left = data.size();
  if (done_) {
    if (left == 0) return {};
    return fail(net::Err::proto, "http: unexpected bytes after the response");
  }
  // After the head, llhttp must run once more even with no input left: a
  // response without a body (Content-Length: 0, 204) completes without
  // consuming a byte.
  static const char kEmpty[1] = {0};
  bool kick = false;
  while (left > 0 || kick) {
    kick = false;
    const char* begin = left > 0 ? at : kEmpty;
    const bool was_head = !head_done_;
    llhttp_errno_t rc = llhttp_execute(&parser_, begin, left);
    size_t used = left;
    if (rc == HPE_PAUSED) used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - begin);
    if (was_head) head_len_ += used;
    if (rc == HPE_OK) {
      if (!head_done_ && head_len_ > lim_.max_head_len)
        return fail(net::Err::limit, "http: response head exceeds " + std::to_string(lim_.max_head_len) + " bytes");
      return {};
    }
    if (rc != HPE_PAUSED) {
      if (!error_.empty()) return fail(error_code_, error_);
      if (!head_done_ && head_len_ > lim_.max_head_len)
        return fail(net::Err::limit, "http: response head exceeds " + std::to_string(lim_.max_head_len) + " bytes");
      const char* reason = llhttp_get_error_reason(&parser_);
      return fail(net::Err::proto, std::string("http: ") + (reason && *reason ? reason : llhttp_errno_name(rc)));
    }
    at += used;
    left -= used;
    if (!head_done_) {
      if (head_len_ > lim_.max_head_len)
        return fail(net::Err::limit, "http: response head exceeds " + std::to_string(lim_.max_head_len) + " bytes");
      head_done_ = true;
      llhttp_resume(&parser_);
      kick = true;
      continue;
    }
    // Paused at the end of a message (on_message_complete).
    if (status_ >= 100 && status_ < 200) {  // an interim response: the real one follows
      reset_message();
      head_len_ = 0;
      status_ = 0;
      llhttp_resume(&parser_);
      continue;
    }
    done_ = true;
    if (left > 0) return fail(net::Err::proto, "http: unexpected bytes after the response");
    return {};
  }
  if (!head_done_ && head_len_ > lim_.max_head_len)
    return fail(net::Err::limit, "http: response head exceeds " + std::to_string(lim_.max_head_len) + " bytes");
  return {};
}

net::Status ResponseParser::finish() {
  if (failed_) return net::Error{net::Err::proto, "http: response parser failed"};
  if (done_) return {};
  if (head_done_) {
    // A body delimited by the end of the connection (no length, not
    // chunked) completes here: on_message_complete pauses, as always.
    llhttp_errno_t rc = llhttp_finish(&parser_);
    if (rc == HPE_OK || rc == HPE_PAUSED) {
      done_ = true;
      return {};
    }
  }
  return fail(net::Err::proto, "http: connection closed before the response was complete");
}

}  // namespace frontends::a2a_client
