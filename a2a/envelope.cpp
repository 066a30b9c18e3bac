#include "a2a/envelope.hpp"

#include "a2a/a2a_limits.hpp"
#include "a2a/frame.hpp"
#include "proto/runtime/pb_limits.hpp"

namespace a2a {

using T = EnvelopeType;
using PC = Envelope::PayloadCase;

std::string envelope_type_name(EnvelopeType t) {
  switch (t) {
    case T::ENVELOPE_TYPE_UNSPECIFIED: return "UNSPECIFIED";
    case T::ENVELOPE_TYPE_SEND_TASK: return "SEND_TASK";
    case T::ENVELOPE_TYPE_TASK_STATUS_UPDATE: return "TASK_STATUS_UPDATE";
    case T::ENVELOPE_TYPE_TASK_COMPLETE: return "TASK_COMPLETE";
    case T::ENVELOPE_TYPE_TASK_FAIL: return "TASK_FAIL";
    case T::ENVELOPE_TYPE_TASK_CANCEL: return "TASK_CANCEL";
    case T::ENVELOPE_TYPE_GET_TASK: return "GET_TASK";
    case T::ENVELOPE_TYPE_GET_TASK_RESPONSE: return "GET_TASK_RESPONSE";
    case T::ENVELOPE_TYPE_ACK: return "ACK";
    case T::ENVELOPE_TYPE_STREAM_START: return "STREAM_START";
    case T::ENVELOPE_TYPE_STREAM_CHUNK: return "STREAM_CHUNK";
    case T::ENVELOPE_TYPE_STREAM_END: return "STREAM_END";
  }
  return "TYPE_" + std::to_string(static_cast<int32_t>(t));
}

bool is_tracked_type(EnvelopeType t) {
  return t == T::ENVELOPE_TYPE_SEND_TASK || t == T::ENVELOPE_TYPE_TASK_STATUS_UPDATE ||
         t == T::ENVELOPE_TYPE_TASK_COMPLETE || t == T::ENVELOPE_TYPE_TASK_FAIL ||
         t == T::ENVELOPE_TYPE_TASK_CANCEL;
}

bool is_stream_type(EnvelopeType t) {
  return t == T::ENVELOPE_TYPE_STREAM_START || t == T::ENVELOPE_TYPE_STREAM_CHUNK ||
         t == T::ENVELOPE_TYPE_STREAM_END;
}

namespace {
std::string uuid_text(const uint8_t (&b)[16]) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}
}  // namespace

std::string uuid_v4(std::span<const uint8_t, 16> r) {
  uint8_t b[16];
  for (size_t i = 0; i < 16; ++i) b[i] = r[i];
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10
  return uuid_text(b);
}

std::string uuid_v7(int64_t unix_ns, std::span<const uint8_t, 16> r) {
  const uint64_t ns = unix_ns > 0 ? static_cast<uint64_t>(unix_ns) : 0;
  const uint64_t ms = (ns / 1'000'000) & 0xffff'ffff'ffffull;  // 48 bits: until year 10889
  // The fraction of the millisecond scaled to 12 bits (RFC 9562 §6.2 method 3).
  const uint32_t frac = static_cast<uint32_t>(((ns % 1'000'000) << 12) / 1'000'000);
  uint8_t b[16];
  for (size_t i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (frac >> 8));  // version 7
  b[7] = static_cast<uint8_t>(frac);
  for (size_t i = 8; i < 16; ++i) b[i] = r[i];
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10
  return uuid_text(b);
}

Timestamp timestamp_from_unix_ns(int64_t ns) {
  Timestamp t;
  int64_t s = ns / 1'000'000'000;
  int64_t n = ns % 1'000'000'000;
  if (n < 0) {
    n += 1'000'000'000;
    --s;
  }
  t.seconds = s;
  t.nanos = static_cast<int32_t>(n);
  return t;
}

int64_t unix_ns_from_timestamp(const Timestamp& t) {
  // Clamped: a peer's timestamp must not overflow our arithmetic.
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000 - 1;
  int64_t s = t.seconds;
  if (s > kMaxSeconds) s = kMaxSeconds;
  if (s < -kMaxSeconds) s = -kMaxSeconds;
  int64_t n = t.nanos;
  if (n < 0 || n > 999'999'999) n = 0;
  return s * 1'000'000'000 + n;
}

Envelope::PayloadCase payload_case_for(EnvelopeType t) {
  switch (t) {
    case T::ENVELOPE_TYPE_SEND_TASK: return PC::send_task;
    case T::ENVELOPE_TYPE_TASK_STATUS_UPDATE: return PC::task_status_update;
    case T::ENVELOPE_TYPE_TASK_COMPLETE: return PC::task_complete;
    case T::ENVELOPE_TYPE_TASK_FAIL: return PC::task_fail;
    case T::ENVELOPE_TYPE_TASK_CANCEL: return PC::task_cancel;
    case T::ENVELOPE_TYPE_GET_TASK: return PC::get_task;
    case T::ENVELOPE_TYPE_GET_TASK_RESPONSE: return PC::get_task_response;
    case T::ENVELOPE_TYPE_ACK: return PC::ack;
    case T::ENVELOPE_TYPE_STREAM_START: return PC::stream_start;
    case T::ENVELOPE_TYPE_STREAM_CHUNK: return PC::stream_chunk;
    case T::ENVELOPE_TYPE_STREAM_END: return PC::stream_end;
    default: return PC::none;
  }
}

namespace {
const char* payload_name(PC c) {
  switch (c) {
    case PC::none: return "none";
    case PC::send_task: return "send_task";
    case PC::task_status_update: return "task_status_update";
    case PC::task_complete: return "task_complete";
    case PC::task_fail: return "task_fail";
    case PC::task_cancel: return "task_cancel";
    case PC::get_task: return "get_task";
    case PC::get_task_response: return "get_task_response";
    case PC::ack: return "ack";
    case PC::stream_start: return "stream_start";
    case PC::stream_chunk: return "stream_chunk";
    case PC::stream_end: return "stream_end";
  }
  return "?";
}

net::Status check_id(std::string_view what, std::string_view id) {
  if (id.size() > kMaxIdLen)
    return {net::Err::proto, "envelope: " + std::string(what) + " of " + std::to_string(id.size()) +
                                 " bytes exceeds " + std::to_string(kMaxIdLen)};
  return {};
}
}  // namespace

std::string_view envelope_task_id(const Envelope& e) {
  switch (e.payload_case) {
    case PC::send_task: return e.send_task.task_id;
    case PC::task_status_update: return e.task_status_update.task_id;
    case PC::task_complete: return e.task_complete.task_id;
    case PC::task_fail: return e.task_fail.task_id;
    case PC::task_cancel: return e.task_cancel.task_id;
    case PC::get_task: return e.get_task.task_id;
    case PC::get_task_response: return e.get_task_response.task ? std::string_view(e.get_task_response.task->task_id)
                                                                 : std::string_view();
    case PC::stream_start: return e.stream_start.task_id;
    case PC::stream_chunk: return e.stream_chunk.task_id;
    case PC::stream_end: return e.stream_end.task_id;
    default: return {};
  }
}

net::Bytes encode_framed(const Envelope& e) {
  const size_t len = e.encoded_size();
  net::Bytes f;
  f.reserve(kFrameHeaderLen + len);
  auto h = frame_header(static_cast<uint32_t>(len));
  f.insert(f.end(), h.begin(), h.end());
  e.encode(f);
  return f;
}

net::Status decode_envelope(net::BytesView bytes, Envelope& out) {
  auto st = out.decode(bytes, pb::Limits{.max_message_len = kMaxFrameLen});
  if (!st) return {net::Err::proto, "envelope: " + st.what()};
  const PC want = payload_case_for(out.type);
  if (want == PC::none) return {};  // unknown / unspecified: ignored by the caller
  if (out.payload_case != want)
    return {net::Err::proto, "envelope: type " + envelope_type_name(out.type) + " carries payload " +
                                 payload_name(out.payload_case)};
  AAC_TRY(check_id("envelope_id", out.envelope_id));
  AAC_TRY(check_id("task_id", envelope_task_id(out)));
  switch (out.payload_case) {
    case PC::send_task:
      AAC_TRY(check_id("context_id", out.send_task.context_id));
      AAC_TRY(check_id("target_skill_id", out.send_task.target_skill_id));
      break;
    case PC::ack:
      AAC_TRY(check_id("acknowledged_envelope_id", out.ack.acknowledged_envelope_id));
      break;
    case PC::stream_start:
      AAC_TRY(check_id("artifact_id", out.stream_start.artifact_id));
      break;
    case PC::stream_chunk:
      AAC_TRY(check_id("artifact_id", out.stream_chunk.artifact_id));
      break;
    case PC::stream_end:
      AAC_TRY(check_id("artifact_id", out.stream_end.artifact_id));
      break;
    default:
      break;
  }
  return {};
}

}  // namespace a2a
