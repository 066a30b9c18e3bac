// Tests of the protobuf runtime (proto/runtime): spec vectors of specs.md
// §18, decoding rules (non-minimal varints, packed/unpacked, merging, last
// one wins), every limit crossed by one, and the bad-input table with the
// exact error of each case.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <string>

#include "pb_all.hpp"
#include "proto/runtime/pb.hpp"

using net::Bytes;
using net::Err;
namespace v1 = pb::agentanycast::v1;
namespace gp = pb::google::protobuf;

namespace {

Bytes hex(const std::string& h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

template <class M>
net::Status decode_hex(const std::string& h, const pb::Limits& lim = {}) {
  M m;
  return m.decode(hex(h), lim);
}

}  // namespace

// ---- spec vectors ------------------------------------------------------------

TEST_CASE("pb: spec vector 08 96 01 (int32 field 1 = 150)") {
  Bytes b;
  pb::Encoder(b).scalar<pb::Kind::int32>(1, 150);
  CHECK(net::to_hex(b) == "089601");
  gp::Timestamp t{.seconds = 150};  // int64 seconds = 1
  CHECK(net::to_hex(t.encode()) == "089601");
  gp::Timestamp d;
  REQUIRE(d.decode(hex("089601")).ok());
  CHECK(d.seconds == 150);
}

TEST_CASE("pb: spec vector 12 07 74 65 73 74 69 6e 67 (string field 2 = \"testing\")") {
  Bytes b;
  pb::Encoder(b).str(2, "testing");
  CHECK(net::to_hex(b) == "120774657374696e67");
  v1::AgentCard c{.description = "testing"};  // string description = 2
  CHECK(net::to_hex(c.encode()) == "120774657374696e67");
  v1::AgentCard d;
  REQUIRE(d.decode(hex("120774657374696e67")).ok());
  CHECK(d.description == "testing");
}

TEST_CASE("pb: zigzag table (specs.md §18)") {
  const struct { int64_t n; uint64_t z; } t[] = {{0, 0}, {-1, 1}, {1, 2}, {-2, 3}, {2147483647, 4294967294u},
                                                {-2147483648LL, 4294967295u}};
  for (auto& v : t) {
    CHECK(pb::zigzag64(v.n) == v.z);
    CHECK(pb::unzigzag64(v.z) == v.n);
    CHECK(pb::zigzag32(static_cast<int32_t>(v.n)) == v.z);
    CHECK(pb::unzigzag32(static_cast<uint32_t>(v.z)) == v.n);
  }
  CHECK(pb::zigzag64(INT64_MAX) == UINT64_MAX - 1);
  CHECK(pb::zigzag64(INT64_MIN) == UINT64_MAX);
  CHECK(pb::unzigzag64(UINT64_MAX) == INT64_MIN);
  Bytes b;
  pb::Encoder(b).scalar<pb::Kind::sint32>(1, -2);
  CHECK(net::to_hex(b) == "0803");
}

TEST_CASE("pb: negative int32 and enum values are 10-byte sign-extended varints") {
  gp::Timestamp t{.nanos = -1};
  CHECK(net::to_hex(t.encode()) == "10ffffffffffffffffff01");
  gp::Timestamp d;
  REQUIRE(d.decode(t.encode()).ok());
  CHECK(d.nanos == -1);
  v1::NodeInfo n{.nat_type = static_cast<v1::NATType>(-3)};
  CHECK(net::to_hex(n.encode()) == "18fdffffffffffffffff01");
}

TEST_CASE("pb: libp2p deterministic encodings (specs.md §2, §9)") {
  // Ed25519 public key: always 08 01 12 20 <32 bytes>.
  pb::crypto::PublicKey k{.Type = pb::crypto::KeyType::Ed25519,
                          .Data = hex("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")};
  CHECK(net::to_hex(k.encode()) == "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  CHECK(k.encoded_size() == 36);
  // RSA = 0 is still written: required fields are always present.
  CHECK(net::to_hex(pb::crypto::PublicKey{}.encode()) == "08001200");
  pb::crypto::PublicKey d;
  REQUIRE(d.decode(hex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")).ok());
  CHECK(d == k);
  // Relay v2: optional Type RESERVE = 0 is written (explicit presence).
  pb::circuit::HopMessage h{.type = pb::circuit::HopMessage::Type::RESERVE};
  CHECK(net::to_hex(h.encode()) == "0800");
  // Peer record: fields in number order.
  pb::peer::PeerRecord r{.peer_id = hex("0024"), .seq = 1, .addresses = {{.multiaddr = hex("04")}}};
  CHECK(net::to_hex(r.encode()) == "0a02002410011a030a0104");
  // Noise payload (proto2 optional): absent fields are not written.
  pb::noise::NoiseHandshakePayload p{.identity_sig = hex("aa")};
  CHECK(net::to_hex(p.encode()) == "1201aa");
  p.extensions.emplace().stream_muxers = {"/yamux/1.0.0"};
  CHECK(net::to_hex(p.encode()) == "1201aa220e120c2f79616d75782f312e302e30");
}

// ---- decoding rules ----------------------------------------------------------

TEST_CASE("pb: non-minimal varints are accepted") {
  gp::Timestamp t;
  REQUIRE(t.decode(hex("0896818000")).ok());  // 150 in 5 bytes
  CHECK(t.seconds == 150);
  REQUIRE(t.decode(hex("88808080800000")).ok());  // non-minimal tag
  CHECK(t.seconds == 0);
}

TEST_CASE("pb: packed and unpacked repeated scalars are both accepted") {
  namespace rf = pb::grpc::reflection::v1;
  rf::ExtensionNumberResponse r;
  REQUIRE(r.decode(hex("10011002" "12020304" "1005")).ok());
  CHECK(r.extension_number == std::vector<int32_t>{1, 2, 3, 4, 5});
  CHECK(net::to_hex(r.encode()) == "12050102030405");  // proto3: written packed
  REQUIRE(r.decode(hex("1200")).ok());                 // empty packed run
  CHECK(r.extension_number.empty());
}

TEST_CASE("pb: last one wins for scalars, singular messages merge, last oneof member wins") {
  gp::Timestamp t;
  REQUIRE(t.decode(hex("0801" "0802")).ok());
  CHECK(t.seconds == 2);
  // dht Message.record twice: key from the first, value from the second.
  pb::dht::Message m;
  REQUIRE(m.decode(hex("1a030a0161" "1a03120162")).ok());
  REQUIRE(m.record);
  CHECK(m.record->key == hex("61"));
  CHECK(m.record->value == hex("62"));
  // Required fields are checked per occurrence (README): a PublicKey split
  // over two occurrences is refused, protobuf would merge it first.
  pb::record::Envelope e;
  CHECK(e.decode(hex("0a080802120401020304" "0a04120201ff")).what() ==
        "pb: missing required field 1 (crypto.pb.PublicKey.Type)");
  REQUIRE(e.decode(hex("0a080802120401020304" "0a06080112020102")).ok());
  CHECK(e.public_key->Type == pb::crypto::KeyType::Ed25519);
  CHECK(e.public_key->Data == hex("0102"));
  // oneof: skill_id then peer_id -> peer_id active, skill_id cleared
  v1::SendTaskRequest s;
  REQUIRE(s.decode(hex("120173" "0a0170")).ok());
  CHECK(s.target_case == v1::SendTaskRequest::TargetCase::peer_id);
  CHECK(s.peer_id == "p");
  CHECK(s.skill_id.empty());
  // the same oneof message member twice merges
  v1::A2AEnvelope a;
  REQUIRE(a.decode(hex("5203" "0a0161" "5203" "120162")).ok());
  CHECK(a.payload_case == v1::A2AEnvelope::PayloadCase::send_task);
  CHECK(a.send_task.task_id == "a");
  CHECK(a.send_task.context_id == "b");
}

TEST_CASE("pb: a repeated map key keeps the last value; entries are written in key order") {
  v1::ErrorDetail d;
  REQUIRE(d.decode(hex("1a060a016b120131" "1a060a016b120132" "1a060a0161120133")).ok());
  CHECK(d.metadata.size() == 2);
  CHECK(d.metadata["k"] == "2");
  CHECK(net::to_hex(d.encode()) == "1a060a0161120133" "1a060a016b120132");
  // missing key or value in an entry: defaults
  REQUIRE(d.decode(hex("1a03120178" "1a030a0179")).ok());
  CHECK(d.metadata[""] == "x");
  CHECK(d.metadata["y"] == "");
  CHECK(net::to_hex(d.encode()) == "1a050a00120178" "1a050a0179" "1200");
}

TEST_CASE("pb: proto2 closed enums drop unknown values, proto3 open enums keep them") {
  pb::holepunch::HolePunch h;
  net::Status s = h.decode(hex("0805"));  // type 5 is not CONNECT/SYNC: field stays unset
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: missing required field 1 (holepunch.pb.HolePunch.type)");
  REQUIRE(h.decode(hex("08ac02")).ok());
  CHECK(h.type == pb::holepunch::HolePunch::Type::SYNC);
  pb::autonat::Message m;
  REQUIRE(m.decode(hex("0807")).ok());
  CHECK(!m.type);
  v1::A2AEnvelope e;
  REQUIRE(e.decode(hex("1063")).ok());
  CHECK(static_cast<int>(e.type) == 99);
  CHECK(net::to_hex(e.encode()) == "1063");
}

TEST_CASE("pb: proto2 strings are not UTF-8 checked, proto3 strings are") {
  pb::identify::Identify id;
  REQUIRE(id.decode(hex("3202ff00")).ok());
  CHECK(*id.agentVersion == std::string("\xff\0", 2));
  v1::AgentCard c;
  CHECK(c.decode(hex("0a02ff00")).err() == Err::proto);
}

TEST_CASE("pb: UTF-8 validation follows RFC 3629") {
  CHECK(pb::valid_utf8(""));
  CHECK(pb::valid_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"));
  CHECK(pb::valid_utf8(std::string("\0", 1)));
  CHECK(!pb::valid_utf8("\xc0\x80"));          // overlong NUL
  CHECK(!pb::valid_utf8("\xc1\xbf"));          // overlong
  CHECK(!pb::valid_utf8("\xe0\x9f\xbf"));      // overlong 3-byte
  CHECK(!pb::valid_utf8("\xf0\x8f\xbf\xbf"));  // overlong 4-byte
  CHECK(!pb::valid_utf8("\xed\xa0\x80"));      // surrogate U+D800
  CHECK(!pb::valid_utf8("\xf4\x90\x80\x80"));  // U+110000
  CHECK(!pb::valid_utf8("\xf5\x80\x80\x80"));
  CHECK(!pb::valid_utf8("\x80"));              // lone continuation
  CHECK(!pb::valid_utf8("\xc3"));              // truncated
  CHECK(!pb::valid_utf8("\xe2\x82"));
  CHECK(!pb::valid_utf8("\xc3\x28"));          // bad continuation
  CHECK(!pb::valid_utf8("\xe2\x28\xa1"));
  CHECK(pb::valid_utf8("\xed\x9f\xbf"));       // U+D7FF
  CHECK(pb::valid_utf8("\xee\x80\x80"));       // U+E000
}

TEST_CASE("pb: the encoder widens the length prefix of large nested bodies") {
  for (size_t n : {126u, 127u, 200u, 16381u, 16382u, 20000u, 2100000u}) {
    pb::record::Envelope e;
    e.public_key.emplace().Data.assign(n, 0xab);
    Bytes b = e.encode();
    CHECK(b.size() == e.encoded_size());
    pb::record::Envelope d;
    REQUIRE(d.decode(b).ok());
    CHECK(d == e);
    // the outer length matches what protoc writes: varint(len(inner))
    size_t inner = 2 + net::varint_len(n) + 1 + n;
    Bytes want;
    pb::Encoder(want).tag(1, pb::WireType::len);
    pb::Encoder(want).varint(inner);
    CHECK(Bytes(b.begin(), b.begin() + static_cast<long>(want.size())) == want);
  }
}

// ---- generated API -----------------------------------------------------------

TEST_CASE("pb: oneof helpers switch, clear and compare only the active member") {
  v1::SendTaskRequest a;
  a.mutable_skill_id() = "translate";
  CHECK(a.target_case == v1::SendTaskRequest::TargetCase::skill_id);
  a.mutable_url() = "http://x";
  CHECK(a.target_case == v1::SendTaskRequest::TargetCase::url);
  CHECK(a.skill_id.empty());
  CHECK(net::to_hex(a.encode()) == "1a08687474703a2f2f78");
  a.clear_target();
  CHECK(a.target_case == v1::SendTaskRequest::TargetCase::none);
  CHECK(a.url.empty());
  CHECK(a.encode().empty());
  // an empty active member is still written (explicit presence)
  a.mutable_peer_id();
  CHECK(net::to_hex(a.encode()) == "0a00");
  v1::SendTaskRequest b = a;
  b.skill_id = "stale, inactive";
  CHECK(a == b);
}

TEST_CASE("pb: google.protobuf.Value holds a Struct through pb::Box") {
  gp::Value v;
  gp::Struct& s = v.mutable_struct_value();
  s.fields["n"].mutable_number_value() = 1.5;
  s.fields["l"].mutable_list_value().values.resize(2);
  s.fields["l"].list_value.values[0].mutable_string_value() = "x";
  s.fields["l"].list_value.values[1].mutable_bool_value() = true;
  gp::Value copy = v;  // deep copy
  copy.struct_value->fields["n"].number_value = 2.5;
  CHECK(v.struct_value->fields["n"].number_value == 1.5);
  CHECK(!(copy == v));
  gp::Value d;
  REQUIRE(d.decode(v.encode()).ok());
  CHECK(d == v);
  v.mutable_null_value();
  CHECK(!v.struct_value);
  CHECK(net::to_hex(v.encode()) == "0800");
  // NaN equals itself (bitwise comparison), -0.0 differs from 0.0
  gp::Value n1, n2;
  n1.mutable_number_value() = std::numeric_limits<double>::quiet_NaN();
  n2.mutable_number_value() = std::numeric_limits<double>::quiet_NaN();
  CHECK(n1 == n2);
  n1.mutable_number_value() = -0.0;
  n2.mutable_number_value() = 0.0;
  CHECK(!(n1 == n2));
}

TEST_CASE("pb: service tables and typed method descriptions") {
  using NS = v1::NodeService;
  CHECK(NS::kInfo.full_name == "agentanycast.v1.NodeService");
  CHECK(NS::kInfo.file == "agentanycast/v1/node_service.proto");
  REQUIRE(NS::kInfo.methods.size() == 16);
  CHECK(NS::SendStreamingArtifact::kClientStreaming);
  CHECK(!NS::SendStreamingArtifact::kServerStreaming);
  CHECK(NS::SubscribeTaskUpdates::kServerStreaming);
  CHECK(NS::GetNodeInfo::kPath == "/agentanycast.v1.NodeService/GetNodeInfo");
  static_assert(std::is_same_v<NS::SendTask::Request, v1::SendTaskRequest>);
  static_assert(std::is_same_v<NS::SendTask::Response, v1::SendTaskResponse>);
  CHECK(NS::kInfo.methods[NS::Discover::kIndex].name == "Discover");
  int unary = 0, server = 0, client = 0;
  for (const auto& m : NS::kInfo.methods) {
    unary += !m.client_streaming && !m.server_streaming;
    server += m.server_streaming;
    client += m.client_streaming;
  }
  CHECK(unary == 12);
  CHECK(server == 3);
  CHECK(client == 1);

  const pb::MethodInfo* m = pb::find_method("/agentanycast.v1.NodeService/SendTask");
  REQUIRE(m);
  CHECK(m->request_type == "agentanycast.v1.SendTaskRequest");
  CHECK(m->response_type == "agentanycast.v1.SendTaskResponse");
  CHECK(pb::find_method("/grpc.health.v1.Health/Watch")->server_streaming);
  const pb::MethodInfo* r = pb::find_method("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
  REQUIRE(r);
  CHECK((r->client_streaming && r->server_streaming));
  CHECK(pb::find_method("/agentanycast.v1.NodeService/Nope") == nullptr);
  CHECK(pb::find_method("/agentanycast.v1.Nope/SendTask") == nullptr);
  CHECK(pb::find_method("agentanycast.v1.NodeService/SendTask") == nullptr);
  CHECK(pb::find_method("") == nullptr);

  std::vector<std::string> names;
  for (const pb::ServiceInfo* s : pb::all_services()) names.emplace_back(s->full_name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"agentanycast.v1.FederationService", "agentanycast.v1.NodeService",
                                          "agentanycast.v1.RegistryService", "grpc.health.v1.Health",
                                          "grpc.reflection.v1.ServerReflection"});
}

TEST_CASE("pb: file descriptors for gRPC reflection") {
  const pb::FileInfo* f = pb::find_file_by_symbol("agentanycast.v1.Task");
  REQUIRE(f);
  CHECK(f->name == "agentanycast/v1/a2a_models.proto");
  CHECK(pb::find_file_by_symbol("agentanycast.v1.NodeService")->name == "agentanycast/v1/node_service.proto");
  CHECK(pb::find_file_by_symbol("agentanycast.v1.NodeService.SendTask")->name ==
        "agentanycast/v1/node_service.proto");
  CHECK(pb::find_file_by_symbol("crypto.pb.KeyType")->name == "libp2p/crypto.proto");
  CHECK(pb::find_file_by_symbol("dht.pb.Message.Peer")->name == "libp2p/dht.proto");
  CHECK(pb::find_file_by_symbol("google.protobuf.Struct")->name == "google/protobuf/struct.proto");
  CHECK(pb::find_file_by_symbol("agentanycast.v1.Nope") == nullptr);
  CHECK(pb::find_file_by_symbol("agentanycast.v1") == nullptr);
  // a2a_models imports timestamp, struct and streaming
  std::vector<std::string> deps;
  for (uint16_t i : f->deps) deps.emplace_back(pb::all_files()[i].name);
  CHECK(deps == std::vector<std::string>{"google/protobuf/timestamp.proto", "google/protobuf/struct.proto",
                                         "agentanycast/v1/streaming.proto"});
  // Each descriptor is a FileDescriptorProto whose name (field 1) is the file's.
  for (const pb::FileInfo& fi : pb::all_files()) {
    REQUIRE(pb::find_file(fi.name) == &fi);
    net::Reader r(fi.descriptor);
    uint64_t tag = 0, len = 0;
    net::BytesView name;
    REQUIRE(r.pb_varint(tag));
    CHECK(tag == 0x0a);
    REQUIRE(r.pb_varint(len));
    REQUIRE(r.take(len, name));
    CHECK(net::as_chars(name) == fi.name);
    for (uint16_t i : fi.deps) CHECK(i < static_cast<uint16_t>(&fi - pb::all_files().data()));
  }
  CHECK(pb::find_file("nope.proto") == nullptr);
}

// ---- bad input: one named case per error, exact code and message -------------

TEST_CASE("pb bad input: truncated tag") {
  auto s = decode_hex<gp::Timestamp>("80");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: truncated tag at offset 0 (google.protobuf.Timestamp)");
}

TEST_CASE("pb bad input: overlong tag") {
  auto s = decode_hex<gp::Timestamp>("0801" "8080808080808080808001");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: overlong tag at offset 2 (google.protobuf.Timestamp)");
  s = decode_hex<gp::Timestamp>("8880808010");  // > 32 bits
  CHECK(s.what() == "pb: overlong tag at offset 0 (google.protobuf.Timestamp)");
}

TEST_CASE("pb bad input: field number 0") {
  auto s = decode_hex<gp::Timestamp>("0000");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: invalid field number 0 at offset 0 (google.protobuf.Timestamp)");
}

TEST_CASE("pb bad input: wire types 6 and 7") {
  auto s = decode_hex<gp::Timestamp>("0f");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: invalid wire type 7 in field 1 at offset 0 (google.protobuf.Timestamp.seconds)");
  s = decode_hex<gp::Timestamp>("0801" "36");
  CHECK(s.what() == "pb: invalid wire type 6 in field 6 at offset 2 (google.protobuf.Timestamp)");
}

TEST_CASE("pb bad input: truncated varint field") {
  auto s = decode_hex<gp::Timestamp>("08");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: truncated field 1 (int64) at offset 0 (google.protobuf.Timestamp.seconds)");
  s = decode_hex<gp::Timestamp>("0801" "10ff");
  CHECK(s.what() == "pb: truncated field 2 (int32) at offset 2 (google.protobuf.Timestamp.nanos)");
}

TEST_CASE("pb bad input: overlong varint field") {
  auto s = decode_hex<gp::Timestamp>("08ffffffffffffffffff01");  // 10 bytes: ok
  CHECK(s.ok());
  s = decode_hex<gp::Timestamp>("08ffffffffffffffffff02");  // bit 64 set
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: overlong varint in field 1 (int64) at offset 0 (google.protobuf.Timestamp.seconds)");
  s = decode_hex<gp::Timestamp>("08ffffffffffffffffffff01");  // 11 bytes
  CHECK(s.what() == "pb: overlong varint in field 1 (int64) at offset 0 (google.protobuf.Timestamp.seconds)");
}

TEST_CASE("pb bad input: truncated bytes field at offset 17") {
  auto s = decode_hex<pb::record::Envelope>("120f" "0102030405060708090a0b0c0d0e0f" "1a");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: truncated field 3 (bytes) at offset 17 (record.pb.Envelope.payload)");
}

TEST_CASE("pb bad input: length beyond the input") {
  auto s = decode_hex<pb::record::Envelope>("1a09616263");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() ==
        "pb: length 9 of field 3 (bytes) exceeds the 3 bytes left at offset 0 (record.pb.Envelope.payload)");
  s = decode_hex<pb::record::Envelope>("1affffffffffffffffff01");  // 2^64-1
  CHECK(s.what() ==
        "pb: length 18446744073709551615 of field 3 (bytes) exceeds the 0 bytes left at offset 0 "
        "(record.pb.Envelope.payload)");
  s = decode_hex<pb::record::Envelope>("0a05" "0801120a01");  // nested: inner length beyond the outer
  CHECK(s.what() == "pb: length 10 of field 2 (bytes) exceeds the 1 bytes left at offset 4 (crypto.pb.PublicKey.Data)");
  s = decode_hex<pb::record::Envelope>("3a05616263");  // unknown field 7
  CHECK(s.what() == "pb: length 5 of field 7 (unknown) exceeds the 3 bytes left at offset 0 (record.pb.Envelope)");
}

TEST_CASE("pb bad input: truncated fixed-size fields") {
  auto s = decode_hex<pb::autonatv2::DialBack>("09010203");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: truncated field 1 (fixed64) at offset 0 (autonatv2.pb.DialBack.nonce)");
  s = decode_hex<gp::Timestamp>("1d0102");
  CHECK(s.what() == "pb: truncated field 3 (unknown) at offset 0 (google.protobuf.Timestamp)");
  s = decode_hex<gp::Timestamp>("19010203040506");
  CHECK(s.what() == "pb: truncated field 3 (unknown) at offset 0 (google.protobuf.Timestamp)");
}

TEST_CASE("pb bad input: wrong wire type for a known field") {
  auto s = decode_hex<gp::Timestamp>("0a00");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: wire type 2 not allowed for field 1 (int64) at offset 0 (google.protobuf.Timestamp.seconds)");
  s = decode_hex<pb::record::Envelope>("1b1c");
  CHECK(s.what() == "pb: wire type 3 not allowed for field 3 (bytes) at offset 0 (record.pb.Envelope.payload)");
  s = decode_hex<pb::record::Envelope>("0800");
  CHECK(s.what() == "pb: wire type 0 not allowed for field 1 (message) at offset 0 (record.pb.Envelope.public_key)");
  s = decode_hex<pb::autonatv2::DialBack>("0d01020304");
  CHECK(s.what() == "pb: wire type 5 not allowed for field 1 (fixed64) at offset 0 (autonatv2.pb.DialBack.nonce)");
  s = decode_hex<v1::ErrorDetail>("1800");
  CHECK(s.what() == "pb: wire type 0 not allowed for field 3 (map) at offset 0 (agentanycast.v1.ErrorDetail.metadata)");
  s = decode_hex<pb::grpc::reflection::v1::ExtensionNumberResponse>("1501000000");
  CHECK(s.what() ==
        "pb: wire type 5 not allowed for field 2 (int32) at offset 0 "
        "(grpc.reflection.v1.ExtensionNumberResponse.extension_number)");
}

TEST_CASE("pb bad input: groups") {
  auto s = decode_hex<gp::Timestamp>("1c");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: unexpected end-group of field 3 at offset 0 (google.protobuf.Timestamp)");
  s = decode_hex<gp::Timestamp>("1b0801");
  CHECK(s.what() == "pb: unterminated group field 3 at offset 0 (google.protobuf.Timestamp)");
  s = decode_hex<gp::Timestamp>("1b24");
  CHECK(s.what() == "pb: end-group of field 4 closes group field 3 at offset 1 (google.protobuf.Timestamp)");
  CHECK(decode_hex<gp::Timestamp>("1b" "0801" "23" "24" "1c" "0805").ok());  // nested groups skipped
}

TEST_CASE("pb bad input: truncated packed field") {
  auto s = decode_hex<pb::grpc::reflection::v1::ExtensionNumberResponse>("12050180");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() ==
        "pb: length 5 of field 2 (int32) exceeds the 2 bytes left at offset 0 "
        "(grpc.reflection.v1.ExtensionNumberResponse.extension_number)");
  s = decode_hex<pb::grpc::reflection::v1::ExtensionNumberResponse>("12020180");
  CHECK(s.what() ==
        "pb: truncated packed field 2 (int32) at offset 0 (grpc.reflection.v1.ExtensionNumberResponse.extension_number)");
}

TEST_CASE("pb bad input: invalid UTF-8 in proto3 strings") {
  auto s = decode_hex<v1::AgentCard>("0a02c328");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: invalid UTF-8 in field 1 (string) at offset 0 (agentanycast.v1.AgentCard.name)");
  for (const char* bad : {"c080", "eda080", "f4908080", "ff"}) {
    std::string h = "0a0" + std::to_string(std::string(bad).size() / 2) + bad;
    CHECK(decode_hex<v1::AgentCard>(h).err() == Err::proto);
  }
  // in a map key, in a repeated string, deep inside an envelope
  s = decode_hex<v1::ErrorDetail>("1a050a01ff1200");
  CHECK(s.what() == "pb: invalid UTF-8 in field 1 (string) at offset 2 (agentanycast.v1.ErrorDetail.MetadataEntry.key)");
  s = decode_hex<v1::P2PExtension>("120161" "1201ff");
  CHECK(s.what() == "pb: invalid UTF-8 in field 2 (string) at offset 3 (agentanycast.v1.P2PExtension.supported_transports)");
  s = decode_hex<v1::A2AEnvelope>("0a0165" "5205" "1a03" "0a01ff");
  CHECK(s.what() == "pb: invalid UTF-8 in field 1 (string) at offset 7 (agentanycast.v1.Message.message_id)");
}

TEST_CASE("pb bad input: missing required fields") {
  auto s = decode_hex<pb::crypto::PublicKey>("0801");
  CHECK(s.err() == Err::proto);
  CHECK(s.what() == "pb: missing required field 2 (crypto.pb.PublicKey.Data)");
  s = decode_hex<pb::crypto::PrivateKey>("");
  CHECK(s.what() == "pb: missing required field 1 (crypto.pb.PrivateKey.Type)");
  s = decode_hex<pb::record::Envelope>("0a021200");  // nested PublicKey without Type
  CHECK(s.what() == "pb: missing required field 1 (crypto.pb.PublicKey.Type)");
}

// ---- limits, each crossed by one ---------------------------------------------

TEST_CASE("pb limit: message size") {
  pb::Limits lim{.max_message_len = 3};
  CHECK(decode_hex<gp::Timestamp>("089601", lim).ok());
  auto s = decode_hex<gp::Timestamp>("08968101", lim);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "pb: message of 4 bytes exceeds the limit of 3 (google.protobuf.Timestamp)");
  CHECK(pb::Limits{}.max_message_len == 16u * 1024 * 1024);
}

TEST_CASE("pb limit: nesting depth") {
  // Struct{"a": Value{struct_value: Struct{}}}: entry 1, Value 2, Struct 3
  gp::Struct st;
  st.fields["a"].mutable_struct_value();
  Bytes b = st.encode();
  CHECK(net::to_hex(b) == "0a070a01611202" "2a00");
  gp::Struct d;
  CHECK(d.decode(b, pb::Limits{.max_depth = 3}).ok());
  auto s = d.decode(b, pb::Limits{.max_depth = 2});
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "pb: nesting deeper than 2 at offset 7 (google.protobuf.Value.struct_value)");
}

TEST_CASE("pb limit: Struct nested 1000 deep is refused without deep recursion") {
  gp::Struct top;
  gp::Struct* cur = &top;
  for (int i = 0; i < 1000; ++i) cur = &cur->fields["k"].mutable_struct_value();
  Bytes b = top.encode();
  gp::Struct d;
  auto s = d.decode(b);
  CHECK(s.err() == Err::limit);
  CHECK(s.what().rfind("pb: nesting deeper than 64 at offset ", 0) == 0);
  // 21 levels (63 nested messages) pass the default limit of 64, 22 (66) do not
  auto chain = [](int n) {
    gp::Struct t;
    gp::Struct* c = &t;
    for (int i = 0; i < n; ++i) c = &c->fields["k"].mutable_struct_value();
    return t.encode();
  };
  CHECK(d.decode(chain(21)).ok());
  CHECK(d.decode(chain(22)).err() == Err::limit);
  CHECK(d.decode(chain(21), pb::Limits{.max_depth = 62}).err() == Err::limit);
  // nested groups of an unknown field: same limit
  Bytes g;
  for (int i = 0; i < 100000; ++i) g.push_back(0x1b);
  s = gp::Timestamp{}.decode(g);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "pb: nesting deeper than 64 at offset 64 (google.protobuf.Timestamp)");
}

TEST_CASE("pb limit: elements of one repeated field") {
  pb::Limits lim{.max_repeated = 3};
  pb::identify::Identify id;
  CHECK(id.decode(hex("120101" "120102" "120103"), lim).ok());
  auto s = id.decode(hex("120101" "120102" "120103" "120104"), lim);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() ==
        "pb: more than 3 elements in repeated field 2 at offset 9 (identify.pb.Identify.listenAddrs)");
  // packed values count one each
  pb::grpc::reflection::v1::ExtensionNumberResponse r;
  CHECK(r.decode(hex("1203010203"), lim).ok());
  s = r.decode(hex("120401020304"), lim);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() ==
        "pb: more than 3 elements in repeated field 2 at offset 0 "
        "(grpc.reflection.v1.ExtensionNumberResponse.extension_number)");
  // map entries
  v1::ErrorDetail e;
  CHECK(e.decode(hex("1a030a0161" "1a030a0162" "1a030a0163"), lim).ok());
  s = e.decode(hex("1a030a0161" "1a030a0162" "1a030a0163" "1a030a0164"), lim);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "pb: more than 3 elements in repeated field 3 at offset 15 (agentanycast.v1.ErrorDetail.metadata)");
  CHECK(pb::Limits{}.max_repeated == 16384);
}

TEST_CASE("pb limit: elements in total") {
  pb::Limits lim{.max_elements = 4};
  pb::identify::Identify id;
  CHECK(id.decode(hex("120101" "120102" "1a0161" "1a0162"), lim).ok());
  auto s = id.decode(hex("120101" "120102" "1a0161" "1a0162" "1a0163"), lim);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "pb: more than 4 elements in total at offset 12 (identify.pb.Identify.protocols)");
  // sub-messages count too
  pb::dht::Message m;
  CHECK(m.decode(hex("4200" "4200"), lim).ok());
  s = m.decode(hex("4200" "4200" "4200"), lim);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "pb: more than 4 elements in total at offset 4 (dht.pb.Message.closerPeers)");
  CHECK(pb::Limits{}.max_elements == 65536);
}

namespace {
// A message whose encoded_size() is wrong by `lie` bytes: the encoder must
// still write the true length (fix_len), whatever the error's direction.
struct LyingMsg {
  size_t body = 0;
  long lie = 0;
  size_t encoded_size() const { return static_cast<size_t>(static_cast<long>(body) + lie); }
  void encode(Bytes& out) const { out.insert(out.end(), body, uint8_t{0x2a}); }
};
}  // namespace

TEST_CASE("pb wire: a nested message's length is written up front and repaired when encoded_size() is wrong") {
  for (size_t body : {0ul, 1ul, 127ul, 128ul, 300ul, 16383ul, 16384ul, 70000ul}) {
    for (long lie : {0l, -1l, 1l, -200l, 200l, 20000l}) {
      if (static_cast<long>(body) + lie < 0) continue;
      CAPTURE(body);
      CAPTURE(lie);
      Bytes out{0x99};  // something before the field
      pb::Encoder e(out);
      e.msg(3, LyingMsg{body, lie});
      out.push_back(0x77);  // and after
      Bytes want{0x99, 0x1a};
      uint8_t b[net::kMaxPbVarintLen];
      size_t n = net::varint_encode(body, b);
      want.insert(want.end(), b, b + n);
      want.insert(want.end(), body, uint8_t{0x2a});
      want.push_back(0x77);
      CHECK(out == want);
    }
  }
}
