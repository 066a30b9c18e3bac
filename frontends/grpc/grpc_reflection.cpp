// frontends/grpc/grpc_reflection.cpp — see grpc_reflection.hpp.
#include "frontends/grpc/grpc_reflection.hpp"

#include <deque>
#include <set>

#include "proto/grpc/reflection/v1/reflection.pb.hpp"
#include "proto/runtime/pb_registry.hpp"

namespace frontends::grpc {
namespace {

namespace rv1 = ::pb::grpc::reflection::v1;
using Info = rv1::ServerReflection::ServerReflectionInfo;
using Sent = std::set<std::string_view>;  // file names point into the static registry

constexpr std::string_view kV1AlphaPath = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

// The file, then its imports breadth-first, skipping files already sent on
// this stream (the requested one is always sent).
void add_with_deps(const pb::FileInfo* f, Sent& sent, rv1::FileDescriptorResponse& out) {
  auto files = pb::all_files();
  std::deque<const pb::FileInfo*> queue{f};
  std::set<const pb::FileInfo*> seen{f};
  bool first = true;
  while (!queue.empty()) {
    const pb::FileInfo* cur = queue.front();
    queue.pop_front();
    if (first || !sent.count(cur->name)) {
      sent.insert(cur->name);
      out.file_descriptor_proto.emplace_back(cur->descriptor.begin(), cur->descriptor.end());
    }
    first = false;
    for (uint16_t d : cur->deps)
      if (d < files.size() && seen.insert(&files[d]).second) queue.push_back(&files[d]);
  }
}

void not_found(rv1::ServerReflectionResponse& r, std::string msg) {
  auto& e = r.mutable_error_response();
  e.error_code = static_cast<int32_t>(Code::not_found);
  e.error_message = std::move(msg);
}

using Req = rv1::ServerReflectionRequest;
using Case = Req::MessageRequestCase;

// false: the request names no query (grpc-go ends the stream with INVALID_ARGUMENT).
bool answer(const Engine& eng, Req&& req, Sent& sent, rv1::ServerReflectionResponse& r) {
  r.valid_host = req.host;
  switch (req.message_request_case) {
    case Case::file_by_filename:
      if (const pb::FileInfo* f = pb::find_file(req.file_by_filename))
        add_with_deps(f, sent, r.mutable_file_descriptor_response());
      else
        not_found(r, "file not found: " + req.file_by_filename);
      break;
    case Case::file_containing_symbol:
      if (const pb::FileInfo* f = pb::find_file_by_symbol(req.file_containing_symbol))
        add_with_deps(f, sent, r.mutable_file_descriptor_response());
      else
        not_found(r, "symbol not found: " + req.file_containing_symbol);
      break;
    case Case::file_containing_extension:
      not_found(r, "extension not found: " + req.file_containing_extension.containing_type + " " +
                       std::to_string(req.file_containing_extension.extension_number));
      break;
    case Case::all_extension_numbers_of_type:
      if (pb::find_file_by_symbol(req.all_extension_numbers_of_type))
        r.mutable_all_extension_numbers_response().base_type_name = req.all_extension_numbers_of_type;
      else
        not_found(r, "type not found: " + req.all_extension_numbers_of_type);
      break;
    case Case::list_services: {
      auto& l = r.mutable_list_services_response();
      for (const std::string& s : eng.service_names())
        if (pb::find_file_by_symbol(s)) l.service.push_back({.name = s});
      break;
    }
    case Case::none:
      return false;
  }
  r.original_request = std::move(req);
  return true;
}

void serve(const Engine& eng, Call call) {
  Call self = call.weak();
  call.on_message([&eng, self, sent = Sent()](net::BytesView b) mutable {
    Req req;
    if (auto st = req.decode(b); !st) return self.finish(Code::internal, unmarshal_error(st.what()));
    auto original = req.message_request_case;
    rv1::ServerReflectionResponse resp;
    if (!answer(eng, std::move(req), sent, resp))
      return self.finish(Code::invalid_argument, "invalid MessageRequest: " + std::to_string(static_cast<int>(original)));
    // One answer per request: pausing while the queue is above its mark
    // means write() never has to refuse one.
    if (self.write_message(resp) == Flow::blocked) self.pause_reading();
  });
  call.on_writable([self]() mutable { self.resume_reading(); });
  call.on_half_close([call]() mutable { call.finish(); });  // keeps the (strong) handle until then
}

}  // namespace

void register_reflection(Engine& eng) {
  eng.register_bidi_streaming<Info>([&eng](BidiStream<Info> s) { serve(eng, std::move(s.call())); });
  auto st = eng.add_method(kV1AlphaPath, MethodKind::bidi_streaming,
                           [&eng](Call c, net::BytesView) { serve(eng, std::move(c)); });
  if (!st) registration_failed(st.what());
}

}  // namespace frontends::grpc
