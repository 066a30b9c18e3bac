#include "crypto/keys_openssl.hpp"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <string>

#include "crypto/keys_limits.hpp"

namespace crypto::detail {

using net::Err;

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct GroupFree {
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
struct OsslFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Group = std::unique_ptr<EC_GROUP, GroupFree>;
using Point = std::unique_ptr<EC_POINT, PointFree>;
using OsslBytes = std::unique_ptr<unsigned char, OsslFree>;

// OpenSSL reports failures through a thread-local error queue as well as
// return values (1 = success). Every failure here is turned into a Status and
// the queue dropped, so nothing stale surfaces in an unrelated later call.
net::Error fail(Err code, std::string what) {
  ERR_clear_error();
  return {code, std::move(what)};
}
net::Error nomem() { return fail(Err::nomem, "openssl: out of memory"); }

// Even a successful decode may leave entries behind (OpenSSL 3 tries several
// decoders); each entry point drops them on the way out.
struct ClearErrorsOnExit {
  ClearErrorsOnExit() = default;
  ClearErrorsOnExit(const ClearErrorsOnExit&) = delete;
  ClearErrorsOnExit& operator=(const ClearErrorsOnExit&) = delete;
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

// SubjectPublicKeyInfo of a named P-256 key with an uncompressed point: the
// only ECDSA encoding go-libp2p writes and its x509 parser takes.
//   SEQ { SEQ { OID id-ecPublicKey, OID prime256v1 }, BIT STRING 00 04 X Y }
constexpr uint8_t kP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
static_assert(sizeof kP256SpkiPrefix + 64 == kEcdsaP256SpkiLen);

net::Result<Pkey> parse_spki(net::BytesView der, const char* alg, const char* want_type,
                             const char* want_oid) {
  const unsigned char* p = der.data();
  Pkey k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!k) return fail(Err::proto, std::string(alg) + " public key is not a DER SubjectPublicKeyInfo");
  if (!EVP_PKEY_is_a(k.get(), want_type)) {
    const char* name = EVP_PKEY_get0_type_name(k.get());
    return fail(Err::proto, std::string(alg) + " public key holds a key of type " +
                                (name ? name : "?") + ", want " + want_oid);
  }
  return k;
}

net::Result<Pkey> rsa_key(net::BytesView der) {
  auto k = parse_spki(der, "RSA", "RSA", "rsaEncryption");
  if (!k) return k.take_error();
  // An RSA-PSS SPKI is also "a" RSA key to EVP_PKEY_is_a; go refuses it.
  if (EVP_PKEY_get_base_id(k->get()) != EVP_PKEY_RSA)
    return fail(Err::proto, "RSA public key holds a key of type RSA-PSS, want rsaEncryption");
  const int bits = EVP_PKEY_get_bits(k->get());
  if (bits < kMinRsaBits)
    return fail(Err::limit, "RSA key of " + std::to_string(bits) + " bits is below the " +
                                std::to_string(kMinRsaBits) + "-bit minimum");
  if (bits > kMaxRsaBits)
    return fail(Err::limit, "RSA key of " + std::to_string(bits) + " bits exceeds the " +
                                std::to_string(kMaxRsaBits) + "-bit maximum");
  // Canonical DER: re-encoding must give the input back (no BER lengths, no
  // trailing bytes, NULL parameters), as Go's strict x509 parser requires.
  unsigned char* out = nullptr;
  const int n = i2d_PUBKEY(k->get(), &out);
  OsslBytes owned(out);
  if (n < 0) return nomem();
  if (static_cast<size_t>(n) != der.size() || std::memcmp(out, der.data(), der.size()) != 0)
    return fail(Err::proto, "RSA public key is not canonical DER");
  return k;
}

net::Result<Pkey> ecdsa_key(net::BytesView der) {
  auto k = parse_spki(der, "ECDSA", "EC", "id-ecPublicKey");
  if (!k) return k.take_error();
  char name[80];
  size_t name_len = 0;
  if (EVP_PKEY_get_group_name(k->get(), name, sizeof name, &name_len) == 1 &&
      std::strcmp(name, SN_X9_62_prime256v1) != 0)
    return fail(Err::unsupported,
                std::string("ECDSA curve ") + name + " is not supported, want P-256");
  // The point was checked to be on the curve by the decoder; the prefix
  // check pins the named curve and the uncompressed form.
  if (der.size() != kEcdsaP256SpkiLen ||
      std::memcmp(der.data(), kP256SpkiPrefix, sizeof kP256SpkiPrefix) != 0)
    return fail(Err::proto,
                "ECDSA public key is not canonical (want a named P-256 curve and an "
                "uncompressed point)");
  return k;
}

net::Result<Pkey> secp256k1_key(net::BytesView compressed) {
  PkeyCtx pc(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!pc) return nomem();
  char group[] = SN_secp256k1;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(compressed.data()),
                                        compressed.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(pc.get()) != 1 ||
      EVP_PKEY_fromdata(pc.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
    return fail(Err::crypto, "openssl: cannot load the secp256k1 key");
  return Pkey(raw);
}

// EVP_DigestVerify: 1 = valid; 0 = bad signature; < 0 = malformed input
// (a non-DER ECDSA signature) or an internal error. All but 1 are "bad".
net::Status verify_sha256(EVP_PKEY* k, net::BytesView msg, net::BytesView sig, const char* alg) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return nomem();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, k) != 1)
    return fail(Err::crypto, std::string("openssl: cannot verify with this ") + alg + " key");
  static const uint8_t kNothing = 0;  // OpenSSL wants non-null pointers
  const int r = EVP_DigestVerify(ctx.get(), sig.empty() ? &kNothing : sig.data(), sig.size(),
                                 msg.empty() ? &kNothing : msg.data(), msg.size());
  if (r != 1) return fail(Err::crypto, std::string("bad ") + alg + " signature");
  return {};
}

net::Status check_ecdsa_sig_len(net::BytesView sig, const char* alg) {
  if (sig.size() > kMaxEcdsaSignatureLen)
    return {Err::crypto, std::string(alg) + " signature of " + std::to_string(sig.size()) +
                             " bytes exceeds " + std::to_string(kMaxEcdsaSignatureLen)};
  return {};
}

}  // namespace

net::Status check_rsa_spki(net::BytesView der) {
  const ClearErrorsOnExit clear;
  auto k = rsa_key(der);
  if (!k) return k.take_error();
  return {};
}

net::Status check_ecdsa_spki(net::BytesView der) {
  const ClearErrorsOnExit clear;
  auto k = ecdsa_key(der);
  if (!k) return k.take_error();
  return {};
}

net::Result<net::Bytes> secp256k1_compress(net::BytesView sec1) {
  const ClearErrorsOnExit clear;
  if (sec1.size() != kSecp256k1CompressedLen && sec1.size() != kSecp256k1UncompressedLen)
    return {Err::proto, "secp256k1 public key is " + std::to_string(sec1.size()) +
                            " bytes, want 33 (compressed) or 65 (uncompressed)"};
  Group g(EC_GROUP_new_by_curve_name(NID_secp256k1));
  if (!g) return nomem();
  Point pt(EC_POINT_new(g.get()));
  if (!pt) return nomem();
  // oct2point checks the form byte against the length (02/03 for 33 bytes;
  // 04, or hybrid 06/07 with the right y parity, for 65) and that the point
  // is on the curve; decred's ParsePubKey, which go-libp2p uses, takes the
  // same three forms.
  if (EC_POINT_oct2point(g.get(), pt.get(), sec1.data(), sec1.size(), nullptr) != 1 ||
      EC_POINT_is_at_infinity(g.get(), pt.get()) == 1)
    return fail(Err::proto, "secp256k1 public key is not a point on the curve");
  net::Bytes out(kSecp256k1CompressedLen);
  if (EC_POINT_point2oct(g.get(), pt.get(), POINT_CONVERSION_COMPRESSED, out.data(), out.size(),
                         nullptr) != out.size())
    return fail(Err::crypto, "openssl: cannot compress the secp256k1 point");
  return out;
}

net::Status verify_rsa(net::BytesView der, net::BytesView msg, net::BytesView sig) {
  const ClearErrorsOnExit clear;
  auto k = rsa_key(der);  // size limits first: CVE-2023-39533
  if (!k) return k.take_error();
  const int want = EVP_PKEY_get_size(k->get());
  if (want <= 0 || sig.size() != static_cast<size_t>(want))
    return {Err::crypto, "RSA signature is " + std::to_string(sig.size()) + " bytes, want " +
                             std::to_string(want)};
  return verify_sha256(k->get(), msg, sig, "RSA");
}

net::Status verify_ecdsa(net::BytesView der, net::BytesView msg, net::BytesView sig) {
  const ClearErrorsOnExit clear;
  auto k = ecdsa_key(der);
  if (!k) return k.take_error();
  AAC_TRY(check_ecdsa_sig_len(sig, "ECDSA"));
  return verify_sha256(k->get(), msg, sig, "ECDSA");
}

net::Status verify_secp256k1(net::BytesView sec1, net::BytesView msg, net::BytesView sig) {
  const ClearErrorsOnExit clear;
  auto c = secp256k1_compress(sec1);
  if (!c) return c.take_error();
  AAC_TRY(check_ecdsa_sig_len(sig, "secp256k1"));
  auto k = secp256k1_key(*c);
  if (!k) return k.take_error();
  return verify_sha256(k->get(), msg, sig, "secp256k1");
}

}  // namespace crypto::detail
