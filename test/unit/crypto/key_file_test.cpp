#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "crypto/key_file.hpp"
#include "crypto/key_vectors.hpp"
#include "net/bytes.hpp"

using namespace crypto;
using namespace keyvec;

namespace {

net::Bytes H(const std::string& hex) {
  net::Bytes b;
  REQUIRE(net::from_hex(hex, &b));
  return b;
}

// A fresh directory per test, removed afterwards.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/aac-keyfile-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

// Writes `bytes` to `path` with exactly `mode`.
void put(const std::string& path, const net::Bytes& bytes, mode_t mode = 0600) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  REQUIRE(::fchmod(fd, mode) == 0);
  ::close(fd);
}

mode_t mode_of(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Loads `path` and expects the exact refusal.
void expect_refused(const std::string& path, net::Err code, const std::string& what) {
  auto k = load_or_create_identity(path);
  REQUIRE_FALSE(k);
  CHECK(k.err() == code);
  CHECK(k.what() == what);
}

struct Umask {  // sets the process umask for one test
  mode_t old;
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
};

net::Bytes spec_priv() { return H(kSpecEd25519Priv); }

}  // namespace

// ---- creation ---------------------------------------------------------------

TEST_CASE("key file: first start creates directories 0700 and the file 0600, even with umask 0") {
  TempDir t;
  Umask u(0);
  const std::string dir = t / "home/.agentanycast", path = dir + "/key";
  bool created = false;
  auto k = load_or_create_identity(path, &created);
  REQUIRE_MESSAGE(k, k.what());
  CHECK(created);
  CHECK(mode_of(t / "home") == 0700);
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(path) == 0600);
  // The file holds the 68-byte PrivateKey proto of this very key.
  auto again = load_identity(path);
  REQUIRE(again);
  CHECK(again->public_raw() == k->public_raw());
  CHECK(std::filesystem::file_size(path) == 68);
  // Nothing else is left in the directory (no temporary file).
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("key file: creation under a restrictive umask still gives 0700/0600") {
  TempDir t;
  Umask u(0277);
  const std::string path = t / "d/key";
  auto k = load_or_create_identity(path);
  REQUIRE_MESSAGE(k, k.what());
  CHECK(mode_of(t / "d") == 0700);
  CHECK(mode_of(path) == 0600);
}

TEST_CASE("key file: load after create gives the same peer public key") {
  TempDir t;
  const std::string path = t / "key";
  bool created = false;
  auto a = load_or_create_identity(path, &created);
  REQUIRE(a);
  CHECK(created);
  auto b = load_or_create_identity(path, &created);
  REQUIRE(b);
  CHECK_FALSE(created);
  CHECK(marshal_public_key(a->public_key()) == marshal_public_key(b->public_key()));
  const net::Bytes m = net::to_bytes("same key");
  CHECK(a->sign(m) == b->sign(m));
}

TEST_CASE("key file: an existing directory keeps its mode") {
  TempDir t;
  REQUIRE(::mkdir((t / "d").c_str(), 0755) == 0);
  REQUIRE(::chmod((t / "d").c_str(), 0755) == 0);
  auto k = load_or_create_identity(t / "d/key");
  REQUIRE(k);
  CHECK(mode_of(t / "d") == 0755);
  CHECK(mode_of(t / "d/key") == 0600);
}

TEST_CASE("key file: write_identity never replaces an existing file") {
  TempDir t;
  const std::string path = t / "key";
  put(path, spec_priv());
  auto k = Ed25519PrivateKey::generate();
  REQUIRE(k);
  auto st = write_identity(path, *k);
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::io);
  CHECK(st.what() == "key file " + path + ": already exists");
  auto back = load_identity(path);
  REQUIRE(back);
  CHECK(net::to_hex(back->public_raw()) ==
        "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
}

TEST_CASE("key file: a relative path is created in the working directory's terms") {
  TempDir t;
  const std::string cwd = std::filesystem::current_path();
  REQUIRE(::chdir(t.path.c_str()) == 0);
  auto k = load_or_create_identity("key");
  auto m = mode_of(t / "key");
  REQUIRE(::chdir(cwd.c_str()) == 0);
  REQUIRE(k);
  CHECK(m == 0600);
}

TEST_CASE("key file: creation fails with one line when the directory is a dangling symlink") {
  TempDir t;
  REQUIRE(::symlink((t / "nowhere").c_str(), (t / "dir").c_str()) == 0);
  auto k = load_or_create_identity(t / "dir/key");
  REQUIRE_FALSE(k);
  CHECK(k.err() == net::Err::io);
  CHECK(k.what() == "key file " + t / "dir/key" + ": cannot create a file in " + t / "dir" +
                        ": No such file or directory");
}

TEST_CASE("key file: creation fails with one line when a directory cannot be made") {
  TempDir t;
  put(t / "f", {1}, 0600);
  // "f/sub" cannot be looked at, let alone made, under a regular file; the
  // loader reports it first.
  auto k = load_or_create_identity(t / "f/sub/key");
  REQUIRE_FALSE(k);
  CHECK(k.err() == net::Err::io);
  CHECK(k.what() == "key file " + t / "f/sub/key" + ": cannot open: Not a directory");
}

// ---- accepted formats -------------------------------------------------------

TEST_CASE("key file: the spec Ed25519 private key loads; its public key is the spec's") {
  TempDir t;
  put(t / "key", spec_priv());
  auto k = load_or_create_identity(t / "key");
  REQUIRE_MESSAGE(k, k.what());
  CHECK(marshal_public_key(k->public_key()) == H(kSpecEd25519Pub));
}

TEST_CASE("key file: the legacy 96-byte Ed25519 form loads") {
  TempDir t;
  net::Bytes f = {0x08, 0x01, 0x12, 0x60};
  const net::Bytes spec = spec_priv();
  f.insert(f.end(), spec.begin() + 4, spec.end());
  f.insert(f.end(), spec.end() - 32, spec.end());
  put(t / "key", f);
  auto k = load_identity(t / "key");
  REQUIRE_MESSAGE(k, k.what());
  CHECK(marshal_public_key(k->public_key()) == H(kSpecEd25519Pub));
}

TEST_CASE("key file: a raw 64-byte Go ed25519.PrivateKey (seed || pub) loads") {
  TempDir t;
  const net::Bytes spec = spec_priv();
  put(t / "key", net::Bytes(spec.begin() + 4, spec.end()));
  auto k = load_identity(t / "key");
  REQUIRE_MESSAGE(k, k.what());
  CHECK(marshal_public_key(k->public_key()) == H(kSpecEd25519Pub));
}

TEST_CASE("key file: mode 0400 and a symlink to a 0600 file are fine") {
  TempDir t;
  put(t / "ro", spec_priv(), 0400);
  CHECK(load_identity(t / "ro"));
  put(t / "real", spec_priv());
  REQUIRE(::symlink((t / "real").c_str(), (t / "link").c_str()) == 0);
  auto k = load_or_create_identity(t / "link");
  REQUIRE_MESSAGE(k, k.what());
}

// ---- refusals: one named case each, exact message ---------------------------

TEST_CASE("key file: refused: world-readable mode 0644") {
  TempDir t;
  put(t / "key", spec_priv(), 0644);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": mode 0644 lets group/others read it (want 0600)");
}

TEST_CASE("key file: refused: group-readable mode 0640") {
  TempDir t;
  put(t / "key", spec_priv(), 0640);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": mode 0640 lets group/others read it (want 0600)");
}

TEST_CASE("key file: refused: group-writable mode 0620") {
  TempDir t;
  put(t / "key", spec_priv(), 0620);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": mode 0620 lets group/others write it (want 0600)");
}

TEST_CASE("key file: refused: world read-write mode 0666") {
  TempDir t;
  put(t / "key", spec_priv(), 0666);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" +
                     ": mode 0666 lets group/others read and write it (want 0600)");
}

TEST_CASE("key file: refused: mode 0607 (others read, write and execute)") {
  TempDir t;
  put(t / "key", spec_priv(), 0607);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" +
                     ": mode 0607 lets group/others read, write and execute it (want 0600)");
}

TEST_CASE("key file: refused: a directory") {
  TempDir t;
  REQUIRE(::mkdir((t / "key").c_str(), 0700) == 0);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": is a directory, not a regular file");
}

TEST_CASE("key file: refused: a FIFO (without blocking on it)") {
  TempDir t;
  REQUIRE(::mkfifo((t / "key").c_str(), 0600) == 0);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": is a FIFO, not a regular file");
}

TEST_CASE("key file: refused: a symlink to a missing file") {
  TempDir t;
  REQUIRE(::symlink((t / "nowhere").c_str(), (t / "key").c_str()) == 0);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": is a symbolic link to a missing file");
}

TEST_CASE("key file: refused: empty") {
  TempDir t;
  put(t / "key", {});
  expect_refused(t / "key", net::Err::invalid, "key file " + t / "key" + ": empty");
}

TEST_CASE("key file: refused: larger than kMaxKeyFileLen (crossed by one)") {
  TempDir t;
  put(t / "key", net::Bytes(kMaxKeyFileLen + 1, 0x08));
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": 8193 bytes exceeds the 8192-byte limit");
  // At the limit the size is fine and the content is judged.
  net::Bytes f = spec_priv();
  f.resize(kMaxKeyFileLen, 0);
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": 8124 trailing bytes after Data");
}

TEST_CASE("key file: refused: truncated (shorter than the encoding says)") {
  TempDir t;
  net::Bytes f = spec_priv();
  f.resize(50);
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": truncated: Data says 64 bytes, only 46 follow");
}

TEST_CASE("key file: refused: truncated to 64 bytes is not mistaken for the raw form") {
  TempDir t;
  net::Bytes f = spec_priv();
  f.resize(64);
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": truncated: Data says 64 bytes, only 60 follow");
}

TEST_CASE("key file: refused: trailing bytes") {
  TempDir t;
  net::Bytes f = spec_priv();
  f.push_back('\n');
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": 1 trailing bytes after Data");
}

TEST_CASE("key file: refused: a secp256k1 private key") {
  TempDir t;
  put(t / "key", H(kSpecSecp256k1Priv));
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": key type secp256k1 is not supported, want Ed25519");
}

TEST_CASE("key file: refused: an RSA private key") {
  TempDir t;
  put(t / "key", H(kSpecRsaPrivHead));
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": key type RSA is not supported, want Ed25519");
}

TEST_CASE("key file: refused: an ECDSA private key") {
  TempDir t;
  put(t / "key", H(kSpecEcdsaPriv));
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": key type ECDSA is not supported, want Ed25519");
}

TEST_CASE("key file: refused: an unknown key type") {
  TempDir t;
  put(t / "key", H("0809120100"));
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": key type 9 is not supported, want Ed25519");
}

TEST_CASE("key file: refused: bad inner length (Ed25519 Data of 32 bytes)") {
  TempDir t;
  net::Bytes f = {0x08, 0x01, 0x12, 0x20};
  const net::Bytes spec = spec_priv();
  f.insert(f.end(), spec.begin() + 4, spec.begin() + 36);
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" +
                     ": Ed25519 private key is 32 bytes, want 64 (seed || public key) or 96 (legacy)");
}

TEST_CASE("key file: refused: public key does not match the seed") {
  TempDir t;
  net::Bytes f = spec_priv();
  f[40] ^= 1;
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" +
                     ": Ed25519 private key: public key does not match the seed");
}

TEST_CASE("key file: refused: legacy 96-byte form with two different public keys") {
  TempDir t;
  net::Bytes f = {0x08, 0x01, 0x12, 0x60};
  const net::Bytes spec = spec_priv();
  f.insert(f.end(), spec.begin() + 4, spec.end());
  f.insert(f.end(), spec.end() - 32, spec.end());
  f.back() ^= 1;
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" +
                     ": Ed25519 private key (legacy 96-byte form): the two public keys differ");
}

TEST_CASE("key file: refused: raw 64-byte form whose halves disagree") {
  TempDir t;
  const net::Bytes spec = spec_priv();
  net::Bytes f(spec.begin() + 4, spec.end());
  f.back() ^= 1;
  put(t / "key", f);
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" +
                     ": raw 64-byte Ed25519 key: public key does not match the seed");
}

TEST_CASE("key file: refused: not a key at all (text)") {
  TempDir t;
  put(t / "key", net::to_bytes("-----BEGIN PRIVATE KEY-----\n"));
  expect_refused(t / "key", net::Err::invalid,
                 "key file " + t / "key" + ": first field is not Type (tag 0x2d, want 0x08)");
}

TEST_CASE("key file: refused: unreadable path (errno text): a symlink loop") {
  TempDir t;
  REQUIRE(::symlink((t / "b").c_str(), (t / "a").c_str()) == 0);
  REQUIRE(::symlink((t / "a").c_str(), (t / "b").c_str()) == 0);
  expect_refused(t / "a", net::Err::io,
                 "key file " + t / "a" + ": cannot open: Too many levels of symbolic links");
}

TEST_CASE("key file: refused: unreadable path (errno text): a component is not a directory") {
  TempDir t;
  put(t / "f", {1});
  expect_refused(t / "f/key", net::Err::io,
                 "key file " + t / "f/key" + ": cannot open: Not a directory");
}

TEST_CASE("key file: refused: unreadable file (errno text): no read permission") {
  if (::geteuid() == 0) return;  // root reads anything: nothing to test
  TempDir t;
  put(t / "key", spec_priv(), 0200);
  expect_refused(t / "key", net::Err::io, "key file " + t / "key" + ": cannot open: Permission denied");
}

TEST_CASE("key file: load_identity does not create; empty path is refused") {
  TempDir t;
  auto k = load_identity(t / "key");
  REQUIRE_FALSE(k);
  CHECK(k.err() == net::Err::not_found);
  CHECK(k.what() == "key file " + t / "key" + ": does not exist");
  CHECK_FALSE(std::filesystem::exists(t / "key"));
  auto e = load_or_create_identity("");
  REQUIRE_FALSE(e);
  CHECK(e.err() == net::Err::invalid);
  CHECK(e.what() == "key file path is empty");
}

TEST_CASE("key file: decode_identity on bytes (the fuzz entry point)") {
  CHECK(decode_identity(spec_priv()));
  auto r = decode_identity({});
  REQUIRE_FALSE(r);
  CHECK(r.what() == "empty");
}
