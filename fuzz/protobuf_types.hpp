// fuzz/protobuf_types.hpp — the message types fuzz_protobuf_decode selects
// from (the first input byte modulo their count): every libp2p message and
// the two agentanycast messages that arrive from peers (A2AEnvelope on
// /agentanycast/a2a/1.0, AgentCard on /agentanycast/card/1.0). The order is
// the seed corpus's selector bytes: append, do not reorder.
#pragma once

#include "proto/agentanycast/v1/a2a_models.pb.hpp"
#include "proto/agentanycast/v1/agent_card.pb.hpp"
#include "proto/libp2p/autonat.pb.hpp"
#include "proto/libp2p/autonatv2.pb.hpp"
#include "proto/libp2p/circuit.pb.hpp"
#include "proto/libp2p/crypto.pb.hpp"
#include "proto/libp2p/dht.pb.hpp"
#include "proto/libp2p/envelope.pb.hpp"
#include "proto/libp2p/holepunch.pb.hpp"
#include "proto/libp2p/identify.pb.hpp"
#include "proto/libp2p/noise.pb.hpp"
#include "proto/libp2p/peer_record.pb.hpp"
#include "proto/libp2p/record.pb.hpp"
#include "proto/libp2p/voucher.pb.hpp"

namespace fuzzpb {

template <class... L>
struct Concat;
template <class... A>
struct Concat<pb::TypeList<A...>> {
  using type = pb::TypeList<A...>;
};
template <class... A, class... B, class... R>
struct Concat<pb::TypeList<A...>, pb::TypeList<B...>, R...> {
  using type = typename Concat<pb::TypeList<A..., B...>, R...>::type;
};

using Types = Concat<pb::files::libp2p_crypto, pb::files::libp2p_envelope, pb::files::libp2p_peer_record,
                     pb::files::libp2p_noise, pb::files::libp2p_identify, pb::files::libp2p_record,
                     pb::files::libp2p_dht, pb::files::libp2p_circuit, pb::files::libp2p_voucher,
                     pb::files::libp2p_holepunch, pb::files::libp2p_autonat, pb::files::libp2p_autonatv2,
                     pb::TypeList<pb::agentanycast::v1::A2AEnvelope, pb::agentanycast::v1::AgentCard>>::type;

}  // namespace fuzzpb
