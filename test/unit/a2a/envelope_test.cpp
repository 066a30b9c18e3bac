// Envelope helpers: decode checks, ids, timestamps.
#include <doctest/doctest.h>

#include <regex>

#include "a2a/envelope.hpp"
#include "a2a/a2a_limits.hpp"

using namespace a2a;
using ET = EnvelopeType;

TEST_CASE("envelope: uuid v4 text has the version and variant bits") {
  std::array<uint8_t, 16> r{};
  r.fill(0xff);
  CHECK(uuid_v4(r) == "ffffffff-ffff-4fff-bfff-ffffffffffff");
  r.fill(0);
  CHECK(uuid_v4(r) == "00000000-0000-4000-8000-000000000000");
  static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 16; ++i) {
    for (auto& b : r) b = static_cast<uint8_t>(b * 31 + i * 7 + 1);
    CHECK(std::regex_match(uuid_v4(r), re));
  }
}

TEST_CASE("envelope: uuid v7 is RFC 9562's example and sorts by time") {
  // RFC 9562 appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, rand_b
  // 0x18C4DC0C0C07398F. Our rand_a is the sub-millisecond fraction scaled to
  // 12 bits (method 3): 797 700 ns of the millisecond give 0xCC3.
  std::array<uint8_t, 16> r{};
  const uint8_t rand_b[8] = {0x98, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f};
  for (size_t i = 0; i < 8; ++i) r[8 + i] = rand_b[i];
  CHECK(uuid_v7(0x017F22E279B0ll * 1'000'000 + 797'700, r) == "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  static const std::regex re("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  r.fill(0xff);
  std::string prev;
  // Later ids sort after earlier ones whatever their random bits, from one
  // microsecond apart (the fraction's step is 244 ns) across milliseconds.
  for (int64_t ns = 1'700'000'000'000'000'000; ns < 1'700'000'000'003'000'000; ns += 1'000) {
    for (auto& b : r) b = static_cast<uint8_t>(b * 31 + 7);
    std::string id = uuid_v7(ns, r);
    REQUIRE(std::regex_match(id, re));
    REQUIRE(id > prev);
    prev = id;
  }
  CHECK(uuid_v7(-5, r).substr(0, 13) == "00000000-0000");  // before 1970: clamped, not wrapped
}

TEST_CASE("envelope: timestamps round-trip, negative and hostile values are clamped") {
  CHECK(unix_ns_from_timestamp(timestamp_from_unix_ns(1'700'000'000'123'456'789)) == 1'700'000'000'123'456'789);
  auto t = timestamp_from_unix_ns(-1);
  CHECK(t.seconds == -1);
  CHECK(t.nanos == 999'999'999);
  Timestamp h;
  h.seconds = INT64_MAX;
  h.nanos = -5;
  CHECK(unix_ns_from_timestamp(h) > 0);
}

TEST_CASE("envelope: names and tracked types") {
  CHECK(envelope_type_name(ET::ENVELOPE_TYPE_GET_TASK_RESPONSE) == "GET_TASK_RESPONSE");
  CHECK(envelope_type_name(static_cast<ET>(12)) == "TYPE_12");
  CHECK(is_tracked_type(ET::ENVELOPE_TYPE_TASK_CANCEL));
  CHECK_FALSE(is_tracked_type(ET::ENVELOPE_TYPE_ACK));
  CHECK_FALSE(is_tracked_type(ET::ENVELOPE_TYPE_STREAM_CHUNK));
  CHECK(is_stream_type(ET::ENVELOPE_TYPE_STREAM_END));
}

TEST_CASE("envelope: decode checks type/payload agreement and id lengths") {
  Envelope e;
  e.envelope_id = "id-1";
  e.type = ET::ENVELOPE_TYPE_SEND_TASK;
  e.mutable_send_task().task_id = "t";
  Envelope d;
  REQUIRE(decode_envelope(e.encode(), d));
  CHECK(d == e);

  e.type = ET::ENVELOPE_TYPE_TASK_FAIL;
  auto st = decode_envelope(e.encode(), d);
  CHECK(st.err() == net::Err::proto);
  CHECK(st.what() == "envelope: type TASK_FAIL carries payload send_task");

  e.type = ET::ENVELOPE_TYPE_SEND_TASK;
  e.envelope_id = std::string(kMaxIdLen, 'e');
  CHECK(decode_envelope(e.encode(), d));
  e.envelope_id.push_back('e');
  st = decode_envelope(e.encode(), d);
  CHECK(st.what() == "envelope: envelope_id of 257 bytes exceeds 256");
  e.envelope_id = "ok";
  e.send_task.task_id = std::string(kMaxIdLen + 1, 't');
  CHECK(decode_envelope(e.encode(), d).what() == "envelope: task_id of 257 bytes exceeds 256");
  e.send_task.task_id = "t";
  e.send_task.context_id = std::string(kMaxIdLen + 1, 'c');
  CHECK(decode_envelope(e.encode(), d).what() == "envelope: context_id of 257 bytes exceeds 256");

  // Unknown types decode (the caller ignores them); garbage does not.
  Envelope u;
  u.type = static_cast<ET>(99);
  REQUIRE(decode_envelope(u.encode(), d));
  CHECK(payload_case_for(d.type) == Envelope::PayloadCase::none);
  st = decode_envelope(net::Bytes{0x0a, 0x05, 'a'}, d);
  CHECK(st.err() == net::Err::proto);
  CHECK(st.what().rfind("envelope: pb: ", 0) == 0);
}

TEST_CASE("envelope: task id of every payload") {
  Envelope e;
  e.mutable_stream_chunk().task_id = "s";
  CHECK(envelope_task_id(e) == "s");
  e.mutable_get_task_response();
  CHECK(envelope_task_id(e).empty());
  e.get_task_response.task.emplace().task_id = "g";
  CHECK(envelope_task_id(e) == "g");
  e.mutable_ack().acknowledged_envelope_id = "x";
  CHECK(envelope_task_id(e).empty());
}
