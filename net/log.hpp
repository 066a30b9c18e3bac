// net/log.hpp — structured logging (STYLE.md §10).
//
// One line per event, JSON (like Go's slog JSONHandler, which the original
// daemon uses) or logfmt text. Cores take a Log* that may be null. Never pass
// key material, handshake hashes or payloads as fields.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace net {

enum class LogLevel : uint8_t { debug = 0, info = 1, warn = 2, error = 3 };
enum class LogFormat : uint8_t { json, text };

// Parses "debug"/"info"/"warn"/"warning"/"error" (case-insensitive).
bool parse_log_level(std::string_view s, LogLevel* out);
const char* log_level_name(LogLevel l);  // "DEBUG", "INFO", ... (slog spelling)

// One key/value of a log line. Holds views: only valid during the call.
struct LogField {
  enum class Kind : uint8_t { str, i64, u64, f64, boolean, strs };
  std::string_view key;
  Kind kind = Kind::str;
  std::string_view s;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
  bool b = false;
  const std::vector<std::string>* list = nullptr;

  LogField(std::string_view k, std::string_view v) : key(k), kind(Kind::str), s(v) {}
  LogField(std::string_view k, const char* v) : key(k), kind(Kind::str), s(v ? v : "") {}
  LogField(std::string_view k, const std::string& v) : key(k), kind(Kind::str), s(v) {}
  LogField(std::string_view k, int v) : key(k), kind(Kind::i64), i(v) {}
  LogField(std::string_view k, long v) : key(k), kind(Kind::i64), i(v) {}
  LogField(std::string_view k, long long v) : key(k), kind(Kind::i64), i(v) {}
  LogField(std::string_view k, unsigned v) : key(k), kind(Kind::u64), u(v) {}
  LogField(std::string_view k, unsigned long v) : key(k), kind(Kind::u64), u(v) {}
  LogField(std::string_view k, unsigned long long v) : key(k), kind(Kind::u64), u(v) {}
  LogField(std::string_view k, double v) : key(k), kind(Kind::f64), f(v) {}
  LogField(std::string_view k, bool v) : key(k), kind(Kind::boolean), b(v) {}
  LogField(std::string_view k, const std::vector<std::string>& v) : key(k), kind(Kind::strs), list(&v) {}
};

class Log {
 public:
  Log() = default;
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // The process-wide logger (stderr, JSON, info) used by drivers and mains.
  static Log& global();

  void set_level(LogLevel l) { level_ = l; }
  LogLevel level() const { return level_; }
  void set_format(LogFormat f) { format_ = f; }
  // Log to a file instead of stderr ("" = stderr). Opened in append mode.
  bool set_path(const std::string& path);
  // SIGHUP: reopen the file (after logrotate moved it).
  bool reopen();
  // Tests: capture lines in memory instead of writing them.
  void capture(std::vector<std::string>* sink) { capture_ = sink; }

  bool enabled(LogLevel l) const { return l >= level_; }
  void write(LogLevel l, std::string_view mod, std::string_view msg,
             std::initializer_list<LogField> fields = {});

  // Formats one line without writing it (exposed for tests).
  std::string format_line(LogLevel l, std::string_view mod, std::string_view msg,
                          std::initializer_list<LogField> fields) const;

 private:
  LogLevel level_ = LogLevel::info;
  LogFormat format_ = LogFormat::json;
  std::string path_;
  FILE* file_ = nullptr;  // null = stderr
  std::vector<std::string>* capture_ = nullptr;
};

// Appends s as a JSON string literal (with quotes) to out; escapes control
// characters, quotes and backslashes; invalid UTF-8 bytes become U+FFFD.
void json_quote(std::string& out, std::string_view s);

}  // namespace net

// AAC_LOG(log_ptr, info, "mod", "msg", {{"k", v}, ...}) — skips formatting
// entirely when the level is off or the log is null.
#define AAC_LOG(logp, lvl, mod, msg, ...)                                            \
  do {                                                                               \
    ::net::Log* aac_log_ = (logp);                                                   \
    if (aac_log_ && aac_log_->enabled(::net::LogLevel::lvl))                         \
      aac_log_->write(::net::LogLevel::lvl, (mod), (msg), ##__VA_ARGS__);            \
  } while (0)
