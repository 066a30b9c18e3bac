// Tests of the generated codecs (proto/tools/protogen): every message type of
// proto/ is filled with sample values (every field, nested messages,
// repeated fields, maps, each oneof alternative) and cross-checked byte for
// byte against protoc --encode / --decode; plus the generated API (oneof
// helpers, Box, registry and service tables).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>

#include "pb_all.hpp"
#include "pb_sample.hpp"
#include "proto/runtime/pb_registry.hpp"

using net::Bytes;
using net::BytesView;

namespace {

struct Sample {
  std::string type;  // full name
  std::string label;
  uint32_t field;    // field number in pbtest.Batch
  std::string text;  // protoc text format
  Bytes ours;        // our encoding
  // Decodes b with our decoder and compares with the sample; "" if equal.
  std::function<std::string(BytesView)> check;
};

struct Corpus {
  ~Corpus() { std::filesystem::remove_all(dir); }
  std::string dir;
  std::string batch_proto;
  std::vector<std::string> types;
  std::vector<Sample> samples;
};

template <class M>
std::function<std::string(BytesView)> checker(const M& m) {
  return [m](BytesView b) -> std::string {
    M d;
    net::Status s = d.decode(b);
    if (!s) return "decode failed: " + s.what();
    if (!(d == m)) return "decoded message differs; text of decoded: " + pbtest::to_text(d);
    return "";
  };
}

const Corpus& corpus() {
  static std::unique_ptr<Corpus> c;
  if (c) return *c;
  c = std::make_unique<Corpus>();
  char tmpl[] = "/tmp/aac-pbtest-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  c->dir = tmpl;

  uint32_t field = 0;
  pbtest::each_message([&]<class M>() {
    ++field;
    c->types.push_back(std::string(M::kFullName));
    auto add = [&](const M& m, std::string label) {
      Sample s;
      s.type = std::string(M::kFullName);
      s.label = std::move(label);
      s.field = field;
      s.text = pbtest::to_text(m);
      m.encode(s.ours);
      s.check = checker(m);
      c->samples.push_back(std::move(s));
    };
    add(M{}, "empty");
    int n = pbtest::oneof_variants<M>();
    for (int v = 0; v < n; ++v) {
      M m;
      pbtest::Filler f;
      f.variant = v;
      f.fill(m);
      add(m, "variant " + std::to_string(v));
    }
  });

  std::string p = "syntax = \"proto2\";\npackage pbtest;\n";
  for (const pb::FileInfo& f : pb::all_files()) p += "import \"" + std::string(f.name) + "\";\n";
  p += "message Batch {\n";
  for (size_t i = 0; i < c->types.size(); ++i)
    p += "  repeated " + c->types[i] + " f" + std::to_string(i + 1) + " = " + std::to_string(i + 1) + ";\n";
  p += "}\n";
  std::ofstream(c->dir + "/batch.proto") << p;
  return *c;
}

std::string protoc_args(const std::string& mode) {
  const Corpus& c = corpus();
  return mode + "=pbtest.Batch -I" + c.dir + " -I" AAC_SOURCE_DIR "/proto -I/usr/include " + c.dir +
         "/batch.proto";
}

std::string batch_text() {
  std::string t;
  for (const Sample& s : corpus().samples) t += "f" + std::to_string(s.field) + " { " + s.text + "}\n";
  return t;
}

Bytes batch_ours() {
  Bytes out;
  pb::Encoder e(out);
  for (const Sample& s : corpus().samples) e.bytes(s.field, s.ours);
  return out;
}

// Splits a Batch encoding into (field, body) elements.
std::vector<std::pair<uint32_t, Bytes>> split(BytesView b) {
  std::vector<std::pair<uint32_t, Bytes>> r;
  net::Reader rd(b);
  while (!rd.empty()) {
    uint64_t tag = 0, len = 0;
    BytesView body;
    if (!rd.pb_varint(tag) || (tag & 7) != 2 || !rd.pb_varint(len) || !rd.take(len, body)) {
      r.push_back({0, {}});
      break;
    }
    r.push_back({static_cast<uint32_t>(tag >> 3), Bytes(body.begin(), body.end())});
  }
  return r;
}

}  // namespace

TEST_CASE("pb generated: every .proto file is covered by the tests") {
  CHECK(pb::all_files().size() == pbtest::kFileCount);
  CHECK(corpus().types.size() > 100);
  MESSAGE("message types: " << corpus().types.size() << ", samples: " << corpus().samples.size());
}

TEST_CASE("pb generated: our encoding equals protoc --encode for every message type") {
  std::string out, err;
  bool ok = pbtest::run_protoc(protoc_args("--encode"), corpus().dir, batch_text(), &out, &err);
  REQUIRE_MESSAGE(ok, err);
  Bytes theirs(out.begin(), out.end());
  auto t = split(theirs);
  const auto& samples = corpus().samples;
  REQUIRE(t.size() == samples.size());
  size_t same = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    INFO(s.type << " (" << s.label << ") text: " << s.text);
    CHECK(t[i].first == s.field);
    CHECK(net::to_hex(s.ours) == net::to_hex(t[i].second));
    same += s.ours == t[i].second;
  }
  CHECK(same == samples.size());
  CHECK(batch_ours() == theirs);
}

TEST_CASE("pb generated: our decoder reads protoc's encoding of every message type") {
  std::string out, err;
  REQUIRE_MESSAGE(pbtest::run_protoc(protoc_args("--encode"), corpus().dir, batch_text(), &out, &err), err);
  auto t = split(net::as_bytes(out));
  const auto& samples = corpus().samples;
  REQUIRE(t.size() == samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    INFO(samples[i].type << " (" << samples[i].label << ")");
    CHECK(samples[i].check(t[i].second) == "");
  }
}

TEST_CASE("pb generated: protoc --decode reads our encoding of every message type") {
  Bytes ours = batch_ours();
  std::string text, err, again;
  REQUIRE_MESSAGE(pbtest::run_protoc(protoc_args("--decode"), corpus().dir, net::to_string(ours), &text, &err),
                  err);
  // protoc's own text of our bytes encodes back to exactly our bytes.
  REQUIRE_MESSAGE(pbtest::run_protoc(protoc_args("--encode"), corpus().dir, text, &again, &err), err);
  CHECK(net::to_hex(net::as_bytes(again)) == net::to_hex(ours));
}

TEST_CASE("pb generated: encoded_size() and decode(encode()) for every sample") {
  for (const Sample& s : corpus().samples) {
    INFO(s.type << " (" << s.label << ")");
    CHECK(s.check(s.ours) == "");
  }
  pbtest::each_message([]<class M>() {
    M m;
    pbtest::Filler f;
    f.fill(m);
    CHECK_MESSAGE(m.encoded_size() == m.encode().size(), M::kFullName);
  });
}

TEST_CASE("pb generated: unknown fields of every wire type are skipped") {
  // field 5000: varint, i64, len, a group holding a nested group, i32
  Bytes unknown;
  REQUIRE(net::from_hex("c0b802ffffffffffffffffff01"    // varint (10 bytes)
                        "c1b8020102030405060708"        // i64
                        "c2b80203616263"                // len "abc"
                        "c3b802" "c8b80205" "cbb802" "ccb802" "c4b802"  // group{5001:5, group{}}
                        "c5b80201020304",               // i32
                        &unknown));
  for (const Sample& s : corpus().samples) {
    INFO(s.type << " (" << s.label << ")");
    Bytes front = unknown;
    front.insert(front.end(), s.ours.begin(), s.ours.end());
    Bytes back = s.ours;
    back.insert(back.end(), unknown.begin(), unknown.end());
    CHECK(s.check(front) == "");
    CHECK(s.check(back) == "");
  }
}
