#include "crypto/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>  // renameat2, RENAME_NOREPLACE (glibc >= 2.28)
#include <cstring>
#include <utility>
#include <vector>

#include "crypto/init.hpp"
#include "crypto/keys_limits.hpp"
#include "crypto/secret.hpp"

namespace crypto {

using net::Err;

namespace {

constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

std::string errno_text(int e) {
  char buf[128];
  return strerror_r(e, buf, sizeof buf);  // GNU variant: returns the text
}

std::string prefix(const std::string& path) { return "key file " + path + ": "; }

net::Error refuse(const std::string& path, const std::string& what) {
  return {Err::invalid, prefix(path) + what};
}

net::Error sys(const std::string& path, const std::string& what, int e) {
  return {Err::io, prefix(path) + what + ": " + errno_text(e)};
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  return "something";
}

// "" when only the owner may touch the file; else what the others may do.
std::string mode_problem(mode_t m) {
  const mode_t loose = m & 077;
  if (loose == 0) return {};
  std::vector<const char*> verbs;
  if (loose & 044) verbs.push_back("read");
  if (loose & 022) verbs.push_back("write");
  if (loose & 011) verbs.push_back("execute");
  std::string v;
  for (size_t i = 0; i < verbs.size(); ++i) {
    if (i > 0) v += (i + 1 == verbs.size()) ? " and " : ", ";
    v += verbs[i];
  }
  char oct[16];
  std::snprintf(oct, sizeof oct, "%04o", static_cast<unsigned>(m & 07777));
  return std::string("mode ") + oct + " lets group/others " + v + " it (want 0600)";
}

// Loads `path`. *missing is set (and an Err::not_found returned) when
// nothing is there at all, so the caller may create the file.
net::Result<Ed25519PrivateKey> load_at(const std::string& path, bool* missing) {
  *missing = false;
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  const int raw_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (raw_fd < 0) {
    const int e = errno;
    if (e == ENOENT) {
      struct stat lst;
      if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode))
        return refuse(path, "is a symbolic link to a missing file");
      *missing = true;
      return {Err::not_found, prefix(path) + "does not exist"};
    }
    return sys(path, "cannot open", e);
  }
  Fd fd(raw_fd);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return sys(path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return refuse(path, std::string("is ") + file_kind(st.st_mode) + ", not a regular file");
  if (auto why = mode_problem(st.st_mode); !why.empty()) return refuse(path, why);
  if (st.st_size > static_cast<off_t>(kMaxKeyFileLen))
    return refuse(path, std::to_string(st.st_size) + " bytes exceeds the " +
                            std::to_string(kMaxKeyFileLen) + "-byte limit");
  Secret<kMaxKeyFileLen + 1> buf;  // wiped when it goes out of scope
  size_t n = 0;
  while (n < buf.size()) {
    const ssize_t r = ::read(fd.get(), buf.data() + n, buf.size() - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return sys(path, "cannot read", errno);
    }
    if (r == 0) break;
    n += static_cast<size_t>(r);
  }
  if (n == 0) return refuse(path, "empty");
  if (n > kMaxKeyFileLen)
    return refuse(path, "grew past the " + std::to_string(kMaxKeyFileLen) +
                            "-byte limit while being read");
  auto k = decode_identity({buf.data(), n});
  if (!k) return refuse(path, k.what());
  return k;
}

std::string dir_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

net::Status fsync_dir(const std::string& path, const std::string& dir) {
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0 || ::fsync(d.get()) != 0)
    return sys(path, "cannot sync directory " + dir, errno);
  return {};
}

// mkdir -p of the key's directory; each directory we create gets 0700
// (chmod as well: the umask may have taken bits away) and is synced into
// its parent. Existing directories are left as they are.
net::Status make_parent_dirs(const std::string& path) {
  const std::string dir = dir_of(path);
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i != dir.size() && dir[i] != '/') continue;
    const std::string sub = dir.substr(0, i);
    if (sub.back() == '/') continue;  // "a//b"
    struct stat st;
    if (::stat(sub.c_str(), &st) == 0) continue;
    if (errno != ENOENT) return sys(path, "cannot create directory " + sub, errno);
    if (::mkdir(sub.c_str(), kDirMode) != 0) {
      if (errno == EEXIST) continue;  // made meanwhile, or a dangling symlink: not ours
      return sys(path, "cannot create directory " + sub, errno);
    }
    if (::chmod(sub.c_str(), kDirMode) != 0) return sys(path, "cannot chmod " + sub, errno);
    AAC_TRY(fsync_dir(path, dir_of(sub)));
  }
  return {};
}

net::Status write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return {Err::io, errno_text(errno)};
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

// Links `tmp` to `path` unless something is at `path` (then *exists).
int move_no_replace(const std::string& tmp, const std::string& path) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
  // The file system cannot rename without replacing: link() fails with
  // EEXIST just the same.
  if (::link(tmp.c_str(), path.c_str()) != 0) return errno;
  ::unlink(tmp.c_str());
  return 0;
}

net::Status write_new(const std::string& path, const Ed25519PrivateKey& key, bool* exists) {
  *exists = false;
  if (!key.valid()) return {Err::invalid, prefix(path) + "no key to write"};
  AAC_TRY(make_parent_dirs(path));
  const std::string dir = dir_of(path);
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".tmp-%016llx",
                static_cast<unsigned long long>(random_u64()));
  const std::string tmp = (dir == "/" ? "" : dir) + "/." + base_of(path) + suffix;
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kFileMode));
  if (fd.get() < 0) return sys(path, "cannot create a file in " + dir, errno);
  struct Unlink {  // until the file has been moved into place
    const std::string& p;
    bool armed = true;
    ~Unlink() {
      if (armed) ::unlink(p.c_str());
    }
  } cleanup{tmp};
  if (::fchmod(fd.get(), kFileMode) != 0) return sys(path, "cannot chmod " + tmp, errno);
  {
    const Ed25519PrivateKeyProto bytes = key.marshal();  // wiped at scope end
    if (auto w = write_all(fd.get(), bytes.data(), bytes.size()); !w)
      return {Err::io, prefix(path) + "cannot write " + tmp + ": " + w.what()};
  }
  if (::fsync(fd.get()) != 0) return sys(path, "cannot sync " + tmp, errno);
  if (::close(fd.release()) != 0) return sys(path, "cannot close " + tmp, errno);
  if (const int e = move_no_replace(tmp, path); e != 0) {
    if (e == EEXIST) {
      *exists = true;
      return {Err::io, prefix(path) + "already exists"};
    }
    return sys(path, "cannot move the new key into place", e);
  }
  cleanup.armed = false;
  return fsync_dir(path, dir);
}

}  // namespace

net::Result<Ed25519PrivateKey> decode_identity(net::BytesView contents) {
  // A raw Go ed25519.PrivateKey (seed || pub). A PrivateKey proto is never
  // 64 bytes long when valid (68 or 100), so 64 bytes that hold a matching
  // key pair are the raw form; otherwise, unless they start like a proto
  // (a truncated one), they are a corrupt raw key.
  if (contents.size() == kEd25519PrivateKeyLen) {
    auto raw = Ed25519PrivateKey::from_seed_and_public(contents);
    if (raw) return raw;
    if (raw.err() == Err::nomem) return raw;
    if (contents[0] != 0x08)
      return {Err::crypto, "raw 64-byte Ed25519 key: public key does not match the seed"};
  }
  return Ed25519PrivateKey::unmarshal(contents);
}

net::Result<Ed25519PrivateKey> load_identity(const std::string& path) {
  if (path.empty()) return {Err::invalid, "key file path is empty"};
  bool missing = false;
  return load_at(path, &missing);
}

net::Status write_identity(const std::string& path, const Ed25519PrivateKey& key) {
  if (path.empty()) return {Err::invalid, "key file path is empty"};
  bool exists = false;
  return write_new(path, key, &exists);
}

net::Result<Ed25519PrivateKey> load_or_create_identity(const std::string& path, bool* created) {
  if (created) *created = false;
  if (path.empty()) return {Err::invalid, "key file path is empty"};
  bool missing = false;
  auto k = load_at(path, &missing);
  if (!missing) return k;
  auto fresh = Ed25519PrivateKey::generate();
  if (!fresh) return {fresh.err(), prefix(path) + fresh.what()};
  bool exists = false;
  auto st = write_new(path, *fresh, &exists);
  if (st) {
    if (created) *created = true;
    return fresh;
  }
  // Another process created it between our open() and our rename: use theirs.
  if (exists) return load_at(path, &missing);
  return st.take_error();
}

}  // namespace crypto
