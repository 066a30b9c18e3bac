#include "net/log.hpp"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <ctime>

#include <sys/time.h>

namespace net {

bool parse_log_level(std::string_view s, LogLevel* out) {
  std::string l(s);
  for (auto& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  if (l == "debug") *out = LogLevel::debug;
  else if (l == "info") *out = LogLevel::info;
  else if (l == "warn" || l == "warning") *out = LogLevel::warn;
  else if (l == "error") *out = LogLevel::error;
  else return false;
  return true;
}

const char* log_level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "DEBUG";
    case LogLevel::info: return "INFO";
    case LogLevel::warn: return "WARN";
    case LogLevel::error: return "ERROR";
  }
  return "INFO";
}

Log& Log::global() {
  static Log g;
  return g;
}

Log::~Log() {
  if (file_) fclose(file_);
}

bool Log::set_path(const std::string& path) {
  path_ = path;
  return reopen();
}

bool Log::reopen() {
  if (path_.empty()) {
    if (file_) fclose(file_);
    file_ = nullptr;
    return true;
  }
  FILE* f = fopen(path_.c_str(), "ae");
  if (!f) return false;
  if (file_) fclose(file_);
  file_ = f;
  return true;
}

void json_quote(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence; copy it or emit U+FFFD.
    size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n != 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok) {
      uint32_t cp = c & (0x7f >> n);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
      const uint32_t min_cp = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
      ok = cp >= min_cp && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (ok) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  out.push_back('"');
}

static void append_time(std::string& out) {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char buf[80];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(tv.tv_usec / 1000) % 1000);
  out += buf;
}

static bool needs_quotes_text(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x21) return true;
  return false;
}

static void append_value(std::string& out, const LogField& f, bool json) {
  char buf[64];
  switch (f.kind) {
    case LogField::Kind::str:
      if (json || needs_quotes_text(f.s)) json_quote(out, f.s);
      else out += f.s;
      break;
    case LogField::Kind::i64:
      snprintf(buf, sizeof buf, "%" PRId64, f.i);
      out += buf;
      break;
    case LogField::Kind::u64:
      snprintf(buf, sizeof buf, "%" PRIu64, f.u);
      out += buf;
      break;
    case LogField::Kind::f64:
      if (std::isfinite(f.f)) snprintf(buf, sizeof buf, "%.6g", f.f);
      else snprintf(buf, sizeof buf, json ? "null" : "%g", f.f);
      out += buf;
      break;
    case LogField::Kind::boolean:
      out += f.b ? "true" : "false";
      break;
    case LogField::Kind::strs:
      if (json) {
        out.push_back('[');
        for (size_t i = 0; i < f.list->size(); ++i) {
          if (i) out.push_back(',');
          json_quote(out, (*f.list)[i]);
        }
        out.push_back(']');
      } else {
        std::string joined;
        for (size_t i = 0; i < f.list->size(); ++i) {
          if (i) joined.push_back(',');
          joined += (*f.list)[i];
        }
        if (needs_quotes_text(joined)) json_quote(out, joined);
        else out += joined;
      }
      break;
  }
}

std::string Log::format_line(LogLevel l, std::string_view mod, std::string_view msg,
                             std::initializer_list<LogField> fields) const {
  std::string out;
  out.reserve(160);
  const bool json = format_ == LogFormat::json;
  if (json) {
    out += "{\"time\":\"";
    append_time(out);
    out += "\",\"level\":\"";
    out += log_level_name(l);
    out += "\",\"msg\":";
    json_quote(out, msg);
    if (!mod.empty()) {
      out += ",\"mod\":";
      json_quote(out, mod);
    }
    for (const auto& f : fields) {
      out.push_back(',');
      json_quote(out, f.key);
      out.push_back(':');
      append_value(out, f, true);
    }
    out.push_back('}');
  } else {
    out += "time=";
    append_time(out);
    out += " level=";
    out += log_level_name(l);
    out += " msg=";
    if (needs_quotes_text(msg)) json_quote(out, msg);
    else out += msg;
    if (!mod.empty()) {
      out += " mod=";
      out += mod;
    }
    for (const auto& f : fields) {
      out.push_back(' ');
      out += f.key;
      out.push_back('=');
      append_value(out, f, false);
    }
  }
  return out;
}

void Log::write(LogLevel l, std::string_view mod, std::string_view msg,
                std::initializer_list<LogField> fields) {
  if (!enabled(l)) return;
  std::string line = format_line(l, mod, msg, fields);
  if (capture_) {
    capture_->push_back(std::move(line));
    return;
  }
  line.push_back('\n');
  FILE* f = file_ ? file_ : stderr;
  // One fwrite per line keeps lines whole when several processes share a file.
  fwrite(line.data(), 1, line.size(), f);
  fflush(f);
}

}  // namespace net
