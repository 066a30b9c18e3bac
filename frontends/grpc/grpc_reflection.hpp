// frontends/grpc/grpc_reflection.hpp — server reflection
// (grpc.reflection.v1.ServerReflection/ServerReflectionInfo, a bidi stream;
// also answered on the older v1alpha path, whose messages are the same on
// the wire) so grpcurl / grpc_cli / Postman can explore the API. Answers
// come from the descriptors compiled into the program (proto/README.md,
// pb::all_files): list_services, file_by_filename, file_containing_symbol
// (each with its transitive imports not yet sent on this stream, as
// grpc-go does), file_containing_extension and
// all_extension_numbers_of_type (we define no extensions).
#pragma once

#include "frontends/grpc/grpc_engine.hpp"

namespace frontends::grpc {

// Registers the service; `eng` must outlive nothing here (no state but the
// per-stream set of files sent). list_services names the engine's services
// that have a descriptor (v1alpha has none, so it is not listed).
void register_reflection(Engine& eng);

}  // namespace frontends::grpc
