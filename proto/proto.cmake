# proto/proto.cmake — defines aac_proto: the protobuf runtime (proto/runtime)
# and the codecs generated from the .proto files under proto/ (proto/README.md).
#
#   1. aac_proto_runtime: proto/runtime/*.cpp (namespace pb).
#   2. aac_protogen: proto/tools/protogen.cpp + the runtime (a build tool).
#   3. protoc parses every proto/**/*.proto (and the google/protobuf files
#      they import, from Debian's libprotobuf-dev) into one descriptor set;
#      protoc is a build tool only, nothing of it is linked.
#   4. aac_protogen turns the descriptor set into
#      ${CMAKE_BINARY_DIR}/gen/proto/<file>.pb.{hpp,cpp} + registry.pb.cpp.
set(AAC_PROTO_DIR ${CMAKE_SOURCE_DIR}/proto)
set(AAC_PROTO_GEN ${CMAKE_BINARY_DIR}/gen/proto)
set(AAC_PROTO_INCLUDE /usr/include CACHE PATH "directory holding google/protobuf/*.proto")

file(GLOB AAC_PROTO_RUNTIME_SRCS CONFIGURE_DEPENDS ${AAC_PROTO_DIR}/runtime/*.cpp)
add_library(aac_proto_runtime STATIC ${AAC_PROTO_RUNTIME_SRCS})
target_link_libraries(aac_proto_runtime PUBLIC aac_net)

add_executable(aac_protogen ${AAC_PROTO_DIR}/tools/protogen.cpp)
target_link_libraries(aac_protogen PRIVATE aac_proto_runtime)

# The .proto files, relative to proto/, plus the well-known types they import
# (known at configure time from their import lines, so the outputs are too).
file(GLOB_RECURSE AAC_PROTO_FILES CONFIGURE_DEPENDS RELATIVE ${AAC_PROTO_DIR} ${AAC_PROTO_DIR}/*.proto)
list(SORT AAC_PROTO_FILES)
set(AAC_PROTO_ALL ${AAC_PROTO_FILES})
set(AAC_PROTO_DEPS "")
foreach(p ${AAC_PROTO_FILES})
  list(APPEND AAC_PROTO_DEPS ${AAC_PROTO_DIR}/${p})
  file(STRINGS ${AAC_PROTO_DIR}/${p} imports REGEX "^import +\"google/protobuf/[a-z_]+\\.proto\"")
  foreach(line ${imports})
    string(REGEX REPLACE "^import +\"(google/protobuf/[a-z_]+\\.proto)\".*" "\\1" wkt "${line}")
    list(APPEND AAC_PROTO_ALL ${wkt})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES AAC_PROTO_ALL)

set(AAC_PROTO_DESCRIPTORS ${AAC_PROTO_GEN}/descriptors.pb)
add_custom_command(
  OUTPUT ${AAC_PROTO_DESCRIPTORS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${AAC_PROTO_GEN}
  COMMAND ${PROTOC} -I${AAC_PROTO_DIR} -I${AAC_PROTO_INCLUDE} --include_imports
          --descriptor_set_out=${AAC_PROTO_DESCRIPTORS} ${AAC_PROTO_FILES}
  WORKING_DIRECTORY ${AAC_PROTO_DIR}
  DEPENDS ${AAC_PROTO_DEPS}
  COMMENT "protoc: descriptor set of proto/"
  VERBATIM)

set(AAC_PROTO_GEN_SRCS ${AAC_PROTO_GEN}/registry.pb.cpp)
set(AAC_PROTO_GEN_HDRS "")
foreach(p ${AAC_PROTO_ALL})
  string(REGEX REPLACE "\\.proto$" "" base ${p})
  list(APPEND AAC_PROTO_GEN_SRCS ${AAC_PROTO_GEN}/${base}.pb.cpp)
  list(APPEND AAC_PROTO_GEN_HDRS ${AAC_PROTO_GEN}/${base}.pb.hpp)
endforeach()

add_custom_command(
  OUTPUT ${AAC_PROTO_GEN_SRCS} ${AAC_PROTO_GEN_HDRS}
  COMMAND aac_protogen ${AAC_PROTO_DESCRIPTORS} ${AAC_PROTO_GEN}
  DEPENDS aac_protogen ${AAC_PROTO_DESCRIPTORS}
  COMMENT "protogen: C++ codecs for proto/"
  VERBATIM)

add_library(aac_proto STATIC ${AAC_PROTO_GEN_SRCS} ${AAC_PROTO_GEN_HDRS})
target_link_libraries(aac_proto PUBLIC aac_proto_runtime)
