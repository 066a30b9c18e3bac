// proto/runtime/pb_registry.hpp — what the generated code knows about
// services and .proto files, for the gRPC server (method dispatch) and the
// gRPC reflection service (serialized FileDescriptorProtos).
//
// The tables are generated (build/gen/proto/registry.pb.cpp) from the same
// protoc descriptor set as the codecs, so they cannot drift from proto/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "net/bytes.hpp"

namespace pb {

struct MethodInfo {
  std::string_view name;           // "GetNodeInfo"
  std::string_view path;           // "/agentanycast.v1.NodeService/GetNodeInfo"
  std::string_view request_type;   // "agentanycast.v1.GetNodeInfoRequest"
  std::string_view response_type;  // "agentanycast.v1.GetNodeInfoResponse"
  bool client_streaming;
  bool server_streaming;
};

struct ServiceInfo {
  std::string_view full_name;  // "agentanycast.v1.NodeService"
  std::string_view file;       // "agentanycast/v1/node_service.proto"
  std::span<const MethodInfo> methods;
};

struct FileInfo {
  std::string_view name;           // "agentanycast/v1/a2a_models.proto"
  net::BytesView descriptor;       // serialized google.protobuf.FileDescriptorProto
  std::span<const uint16_t> deps;  // indexes into all_files(), direct imports only
};

// Every .proto file compiled into the program (ours and the well-known types
// they import), in dependency order.
std::span<const FileInfo> all_files();
const FileInfo* find_file(std::string_view name);
// The file defining a fully-qualified message, enum, service or method
// ("agentanycast.v1.Task", "agentanycast.v1.NodeService.SendTask"); null if none.
const FileInfo* find_file_by_symbol(std::string_view full_name);

std::span<const ServiceInfo* const> all_services();
const ServiceInfo* find_service(std::string_view full_name);
// By gRPC path "/pkg.Service/Method"; null if none.
const MethodInfo* find_method(std::string_view path);

}  // namespace pb
