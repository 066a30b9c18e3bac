#include "crypto/keys.hpp"

#include <sodium.h>

#include <cstdio>

#include "crypto/init.hpp"
#include "crypto/keys_limits.hpp"
#include "crypto/keys_openssl.hpp"

namespace crypto {

using net::Err;

static_assert(crypto_sign_PUBLICKEYBYTES == kEd25519PublicKeyLen);
static_assert(crypto_sign_BYTES == kEd25519SignatureLen);

namespace {

constexpr uint8_t kTagType = 0x08;  // field 1, varint
constexpr uint8_t kTagData = 0x12;  // field 2, length-delimited

std::string hex_byte(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%02llx", static_cast<unsigned long long>(v));
  return b;
}

// A protobuf varint that must also be minimal (the deterministic encoding).
bool minimal_varint(net::Reader& r, uint64_t& v, const char* field, net::Error* err) {
  const size_t start = r.pos();
  net::VarintStatus why = net::VarintStatus::ok;
  if (!r.pb_varint(v, &why)) {
    *err = {Err::proto, std::string(field) + ": " + net::varint_status_name(why)};
    return false;
  }
  if (r.pos() - start != net::varint_len(v)) {
    *err = {Err::proto, std::string(field) + ": " +
                            net::varint_status_name(net::VarintStatus::non_minimal)};
    return false;
  }
  return true;
}

net::Status check_public_type(uint64_t type) {
  if (type > static_cast<uint64_t>(KeyType::ecdsa))
    return {Err::unsupported, "unsupported key type " + std::to_string(type)};
  return {};
}

// Validates Data for its type; secp256k1 comes back compressed.
net::Result<net::Bytes> check_public_data(KeyType type, net::BytesView data) {
  switch (type) {
    case KeyType::ed25519:
      if (data.size() != kEd25519PublicKeyLen)
        return {Err::proto, "Ed25519 public key is " + std::to_string(data.size()) +
                                " bytes, want 32"};
      return net::Bytes(data.begin(), data.end());
    case KeyType::secp256k1:
      return detail::secp256k1_compress(data);
    case KeyType::ecdsa:
      AAC_TRY(detail::check_ecdsa_spki(data));
      return net::Bytes(data.begin(), data.end());
    case KeyType::rsa:
      AAC_TRY(detail::check_rsa_spki(data));
      return net::Bytes(data.begin(), data.end());
  }
  return {Err::unsupported, "unsupported key type " + std::to_string(static_cast<int>(type))};
}

net::Status data_limit(size_t len, size_t max) {
  if (len > max)
    return {Err::limit, "Data of " + std::to_string(len) + " bytes exceeds the " +
                            std::to_string(max) + "-byte limit"};
  return {};
}

}  // namespace

const char* key_type_name(KeyType t) {
  switch (t) {
    case KeyType::rsa: return "RSA";
    case KeyType::ed25519: return "Ed25519";
    case KeyType::secp256k1: return "secp256k1";
    case KeyType::ecdsa: return "ECDSA";
  }
  return "?";
}

net::Bytes marshal_public_key(const PublicKey& k) {
  net::Bytes out;
  out.reserve(2 + 1 + net::kMaxPbVarintLen + k.data.size());
  net::Writer w(out);
  w.u8(kTagType);
  w.varint(static_cast<uint8_t>(k.type));
  w.u8(kTagData);
  w.lp_bytes(k.data);
  return out;
}

namespace detail {

net::Result<KeyProto> decode_key_proto(net::BytesView in, size_t max_data_len,
                                       net::Status (*check_type)(uint64_t type)) {
  if (in.empty()) return {Err::proto, "empty"};
  net::Reader r(in);
  net::Error err;
  uint64_t tag = 0, type = 0, len = 0;
  if (!minimal_varint(r, tag, "tag", &err)) return err;
  if (tag != kTagType)
    return {Err::proto, "first field is not Type (tag " + hex_byte(tag) + ", want 0x08)"};
  if (!minimal_varint(r, type, "Type", &err)) return err;
  AAC_TRY(check_type(type));
  if (r.empty()) return {Err::proto, "missing Data field"};
  if (!minimal_varint(r, tag, "tag", &err)) return err;
  if (tag != kTagData)
    return {Err::proto, "second field is not Data (tag " + hex_byte(tag) + ", want 0x12)"};
  if (!minimal_varint(r, len, "Data length", &err)) return err;
  AAC_TRY(data_limit(len, max_data_len));
  net::BytesView data;
  if (!r.take(static_cast<size_t>(len), data))
    return {Err::proto, "truncated: Data says " + std::to_string(len) + " bytes, only " +
                            std::to_string(r.left()) + " follow"};
  if (!r.empty()) return {Err::proto, std::to_string(r.left()) + " trailing bytes after Data"};
  return KeyProto{static_cast<KeyType>(type), data};
}

}  // namespace detail

net::Result<PublicKey> unmarshal_public_key(net::BytesView in) {
  auto p = detail::decode_key_proto(in, kMaxPublicKeyDataLen, check_public_type);
  if (!p) return p.take_error();
  auto data = check_public_data(p->type, p->data);
  if (!data) return data.take_error();
  return PublicKey{p->type, data.take()};
}

net::Status verify(const PublicKey& key, net::BytesView msg, net::BytesView sig) {
  AAC_TRY(check_public_type(static_cast<uint64_t>(key.type)));
  AAC_TRY(data_limit(key.data.size(), kMaxPublicKeyDataLen));
  switch (key.type) {
    case KeyType::ed25519: {
      if (key.data.size() != kEd25519PublicKeyLen)
        return {Err::proto, "Ed25519 public key is " + std::to_string(key.data.size()) +
                                " bytes, want 32"};
      if (sig.size() != kEd25519SignatureLen)
        return {Err::crypto, "Ed25519 signature is " + std::to_string(sig.size()) +
                                 " bytes, want 64"};
      (void)init();
      // libsodium: 0 = valid. It also refuses small-order keys and R, and
      // a non-canonical S.
      if (crypto_sign_verify_detached(sig.data(), msg.data(), msg.size(), key.data.data()) != 0)
        return {Err::crypto, "bad Ed25519 signature"};
      return {};
    }
    case KeyType::rsa: return detail::verify_rsa(key.data, msg, sig);
    case KeyType::ecdsa: return detail::verify_ecdsa(key.data, msg, sig);
    case KeyType::secp256k1: return detail::verify_secp256k1(key.data, msg, sig);
  }
  return {Err::unsupported, "unsupported key type"};
}

}  // namespace crypto
