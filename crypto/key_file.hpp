// crypto/key_file.hpp — the daemon's identity key file (`key_path`,
// default ~/.agentanycast/key; upstream.md §7.4; issue 3 item 3).
//
// On disk: the libp2p PrivateKey protobuf of an Ed25519 key,
// `08 01 12 40 <seed(32) || pub(32)>` (68 bytes) — what go-libp2p's
// crypto.MarshalPrivateKey writes (the original relay) and what js-libp2p's
// privateKeyToProtobuf writes (the interop peer's --key). Also read, never
// written: the legacy 96-byte Ed25519 Data (seed || pub || pub), and a raw
// 64-byte Go ed25519.PrivateKey (seed || pub), since the on-disk format of
// the original daemon's identity module is unknown.
//
// Created on first start: missing parent directories with mode 0700, the file
// with mode 0600 whatever the umask, written to a temporary file in the same
// directory, fsynced, then moved into place without replacing anything (two
// daemons racing both end up with the one key that won) and the directory
// fsynced. Every buffer that held key bytes is wiped.
//
// Every refusal is one line naming the file:
//   Err::invalid "key file /k: mode 0644 lets group/others read it (want 0600)"
//                "key file /k: is a directory, not a regular file"
//                "key file /k: empty"
//                "key file /k: 9000 bytes exceeds the 8192-byte limit"
//                "key file /k: <decoder error>", e.g.
//                "key file /k: truncated: Data says 64 bytes, only 40 follow",
//                "key file /k: key type secp256k1 is not supported, want Ed25519"
//   Err::io      "key file /k: cannot open: Permission denied" (errno text),
//                "key file /k: cannot create directory /d: Not a directory", ...
#pragma once

#include <string>

#include "crypto/ed25519.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

namespace crypto {

// Loads the key at `path`, or creates one there if nothing is at `path`.
// `*created` (if given) tells which happened, for the daemon's log line.
net::Result<Ed25519PrivateKey> load_or_create_identity(const std::string& path,
                                                       bool* created = nullptr);

// Loads only; Err::not_found "key file /k: does not exist" when missing.
net::Result<Ed25519PrivateKey> load_identity(const std::string& path);

// Writes `key` to a new file at `path` as described above; Err::io
// "key file /k: already exists" if anything is there.
net::Status write_identity(const std::string& path, const Ed25519PrivateKey& key);

// The decoding of the file's bytes (the PrivateKey proto, or the raw 64-byte
// form); errors are the decoder's, without the "key file" prefix.
net::Result<Ed25519PrivateKey> decode_identity(net::BytesView contents);

}  // namespace crypto
