// test/unit/proto/pb_all.hpp — every generated header and the type lists of
// all messages (one pb::TypeList per .proto file).
#pragma once

#include "proto/agentanycast/v1/a2a_models.pb.hpp"
#include "proto/agentanycast/v1/agent_card.pb.hpp"
#include "proto/agentanycast/v1/common.pb.hpp"
#include "proto/agentanycast/v1/federation.pb.hpp"
#include "proto/agentanycast/v1/node_service.pb.hpp"
#include "proto/agentanycast/v1/registry_service.pb.hpp"
#include "proto/agentanycast/v1/streaming.pb.hpp"
#include "proto/google/protobuf/struct.pb.hpp"
#include "proto/google/protobuf/timestamp.pb.hpp"
#include "proto/grpc/health/v1/health.pb.hpp"
#include "proto/grpc/reflection/v1/reflection.pb.hpp"
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

namespace pbtest {

// Calls f.template operator()<M>() for every message M of every list.
template <class F, class... M>
void each_type(pb::TypeList<M...>, F& f) {
  (f.template operator()<M>(), ...);
}

template <class F>
void each_message(F&& f) {
  namespace fl = pb::files;
  each_type(fl::agentanycast_v1_common{}, f);
  each_type(fl::agentanycast_v1_agent_card{}, f);
  each_type(fl::agentanycast_v1_streaming{}, f);
  each_type(fl::agentanycast_v1_a2a_models{}, f);
  each_type(fl::agentanycast_v1_registry_service{}, f);
  each_type(fl::agentanycast_v1_federation{}, f);
  each_type(fl::agentanycast_v1_node_service{}, f);
  each_type(fl::libp2p_crypto{}, f);
  each_type(fl::libp2p_envelope{}, f);
  each_type(fl::libp2p_peer_record{}, f);
  each_type(fl::libp2p_noise{}, f);
  each_type(fl::libp2p_identify{}, f);
  each_type(fl::libp2p_record{}, f);
  each_type(fl::libp2p_dht{}, f);
  each_type(fl::libp2p_circuit{}, f);
  each_type(fl::libp2p_voucher{}, f);
  each_type(fl::libp2p_holepunch{}, f);
  each_type(fl::libp2p_autonat{}, f);
  each_type(fl::libp2p_autonatv2{}, f);
  each_type(fl::grpc_health_v1_health{}, f);
  each_type(fl::grpc_reflection_v1_reflection{}, f);
  each_type(fl::google_protobuf_timestamp{}, f);
  each_type(fl::google_protobuf_struct{}, f);
}

// Number of .proto files each_message() covers (checked against the registry
// so a new file cannot be left out of the tests).
inline constexpr size_t kFileCount = 23;

}  // namespace pbtest
