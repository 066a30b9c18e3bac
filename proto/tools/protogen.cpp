// proto/tools/protogen.cpp — our protobuf code generator (a build tool).
//
//   protogen <descriptor_set.pb> <out_dir>
//
// Reads the FileDescriptorSet that `protoc --descriptor_set_out
// --include_imports` wrote for proto/ (protoc is only a build tool: it parses
// the .proto files; nothing of it is linked) and writes, for every file
// <name>.proto in the set, <out_dir>/<name>.pb.hpp and .pb.cpp, plus
// <out_dir>/registry.pb.cpp (services and serialized descriptors for gRPC
// reflection). The generated API is described in proto/README.md.
//
// The descriptor set is decoded with our own runtime (pb::Cursor) and
// hand-written merge functions for the few descriptor.proto fields we use.
// Files are only rewritten when their content changes.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "proto/runtime/pb_wire.hpp"

namespace {

using net::Status;
using pb::Cursor;
using pb::Kind;

// ---- descriptor.proto, the fields we need -----------------------------------

[[noreturn]] void die(const std::string& msg);

// FieldDescriptorProto.Label
constexpr int kLabelOptional = 1, kLabelRequired = 2, kLabelRepeated = 3;

struct FieldOptionsD {
  bool packed = false, packed_set = false;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      if (c.number() == 2) {
        c.get<Kind::bool_>(packed);
        packed_set = true;
      } else {
        c.skip();
      }
    }
  }
};
const pb::MsgInfo FieldOptionsD::kInfo = {"google.protobuf.FieldOptions", nullptr, 0};

struct FieldD {
  std::string name, type_name, default_value;
  uint32_t number = 0;
  int label = kLabelOptional, type = 0, oneof_index = -1;
  bool proto3_optional = false;
  FieldOptionsD options;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 3: c.get<Kind::int32>(number); break;
        case 4: c.get<Kind::enum_>(label); break;
        case 5: c.get<Kind::enum_>(type); break;
        case 6: c.str(type_name, false); break;
        case 7: c.str(default_value, false); break;
        case 8: c.msg(options); break;
        case 9: c.get<Kind::int32>(oneof_index); break;
        case 17: c.get<Kind::bool_>(proto3_optional); break;
        default: c.skip();
      }
    }
  }
};
const pb::MsgInfo FieldD::kInfo = {"google.protobuf.FieldDescriptorProto", nullptr, 0};

struct NamedD {  // OneofDescriptorProto, and anything else where only the name matters
  std::string name;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      if (c.number() == 1) c.str(name, false);
      else c.skip();
    }
  }
};
const pb::MsgInfo NamedD::kInfo = {"google.protobuf.OneofDescriptorProto", nullptr, 0};

struct EnumValueD {
  std::string name;
  int32_t number = 0;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 2: c.get<Kind::int32>(number); break;
        default: c.skip();
      }
    }
  }
};
const pb::MsgInfo EnumValueD::kInfo = {"google.protobuf.EnumValueDescriptorProto", nullptr, 0};

struct EnumD {
  std::string name;
  std::vector<EnumValueD> values;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 2: c.rep_msg(values); break;
        default: c.skip();
      }
    }
  }
};
const pb::MsgInfo EnumD::kInfo = {"google.protobuf.EnumDescriptorProto", nullptr, 0};

struct MessageOptionsD {
  bool map_entry = false;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      if (c.number() == 7) c.get<Kind::bool_>(map_entry);
      else c.skip();
    }
  }
};
const pb::MsgInfo MessageOptionsD::kInfo = {"google.protobuf.MessageOptions", nullptr, 0};

struct MessageD {
  std::string name;
  std::vector<FieldD> fields;
  std::vector<MessageD> nested;
  std::vector<EnumD> enums;
  std::vector<NamedD> oneofs;
  MessageOptionsD options;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 2: c.rep_msg(fields); break;
        case 3: c.rep_msg(nested); break;
        case 4: c.rep_msg(enums); break;
        case 7: c.msg(options); break;
        case 8: c.rep_msg(oneofs); break;
        default: c.skip();
      }
    }
  }
};
const pb::MsgInfo MessageD::kInfo = {"google.protobuf.DescriptorProto", nullptr, 0};

struct MethodD {
  std::string name, input, output;
  bool client_streaming = false, server_streaming = false;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 2: c.str(input, false); break;
        case 3: c.str(output, false); break;
        case 5: c.get<Kind::bool_>(client_streaming); break;
        case 6: c.get<Kind::bool_>(server_streaming); break;
        default: c.skip();
      }
    }
  }
};
const pb::MsgInfo MethodD::kInfo = {"google.protobuf.MethodDescriptorProto", nullptr, 0};

struct ServiceD {
  std::string name;
  std::vector<MethodD> methods;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 2: c.rep_msg(methods); break;
        default: c.skip();
      }
    }
  }
};
const pb::MsgInfo ServiceD::kInfo = {"google.protobuf.ServiceDescriptorProto", nullptr, 0};

struct FileD {
  std::string name, package, syntax;
  std::vector<std::string> deps;
  std::vector<MessageD> messages;
  std::vector<EnumD> enums;
  std::vector<ServiceD> services;
  net::Bytes raw;  // the serialized FileDescriptorProto, as protoc wrote it
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      switch (c.number()) {
        case 1: c.str(name, false); break;
        case 2: c.str(package, false); break;
        case 3: c.rep_str(deps, false); break;
        case 4: c.rep_msg(messages); break;
        case 5: c.rep_msg(enums); break;
        case 6: c.rep_msg(services); break;
        case 12: c.str(syntax, false); break;
        default: c.skip();
      }
    }
  }
  bool proto3() const { return syntax == "proto3"; }
};
const pb::MsgInfo FileD::kInfo = {"google.protobuf.FileDescriptorProto", nullptr, 0};

struct FileSetD {
  std::vector<FileD> files;
  static const pb::MsgInfo kInfo;
  void merge_from(Cursor& c) {
    while (c.next()) {
      if (c.number() == 1) {
        net::Bytes raw;
        c.bytes(raw);
        if (c.failed()) return;
        FileD f;
        pb::Limits lim;
        lim.max_elements = 1u << 24;
        lim.max_repeated = 1u << 20;
        net::Status s = pb::decode_message(f, raw, lim);
        if (!s) die("descriptor of a file: " + s.what());
        f.raw = std::move(raw);
        files.push_back(std::move(f));
      } else {
        c.skip();
      }
    }
  }
};
const pb::MsgInfo FileSetD::kInfo = {"google.protobuf.FileDescriptorSet", nullptr, 0};

// FieldDescriptorProto.Type values.
enum : int {
  kDouble = 1, kFloat = 2, kInt64 = 3, kUint64 = 4, kInt32 = 5, kFixed64 = 6, kFixed32 = 7,
  kBool = 8, kString = 9, kGroup = 10, kMessage = 11, kBytes = 12, kUint32 = 13, kEnum = 14,
  kSfixed32 = 15, kSfixed64 = 16, kSint32 = 17, kSint64 = 18,
};

// ---- helpers ----------------------------------------------------------------

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "protogen: %s\n", msg.c_str());
  std::exit(1);
}

const std::set<std::string>& reserved_words() {
  static const std::set<std::string> s = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
      "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
      "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
      "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      // macros from C headers that would break an identifier
      "NULL", "EOF", "TRUE", "FALSE", "DOMAIN", "OVERFLOW", "UNDERFLOW", "assert", "errno",
      "linux", "unix", "major", "minor",
      // members of every generated struct
      "encode", "decode", "encoded_size", "merge_from", "visit_fields", "visit_", "kInfo",
      "kFullName"};
  return s;
}

std::string ident(const std::string& s) {
  return reserved_words().count(s) ? s + "_" : s;
}

std::string camel(const std::string& s) {
  std::string r;
  bool up = true;
  for (char ch : s) {
    if (ch == '_') {
      up = true;
    } else {
      r += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
      up = false;
    }
  }
  return r;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> r;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      r.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) r.push_back(cur);
  return r;
}

// Package "crypto.pb" -> C++ namespace "pb::crypto": our runtime is already
// namespace pb, so go-libp2p's trailing ".pb" component is dropped.
std::string cpp_namespace(const std::string& package) {
  std::vector<std::string> parts = split(package, '.');
  if (parts.size() > 1 && parts.back() == "pb") parts.pop_back();
  std::string ns = "pb";
  for (const auto& p : parts) ns += "::" + ident(p);
  return ns;
}

std::string strip_proto(const std::string& name) {
  return name.size() > 6 && name.substr(name.size() - 6) == ".proto" ? name.substr(0, name.size() - 6)
                                                                    : name;
}

std::string file_ident(const std::string& name) {
  std::string r;
  for (char ch : strip_proto(name)) r += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return r;
}

std::string quote(const std::string& s) {
  std::string r = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') r += '\\';
    r += ch;
  }
  return r + "\"";
}

// ---- the model --------------------------------------------------------------

struct EnumT;
struct MsgT;

struct TypeRef {
  const FileD* file = nullptr;
  const MsgT* msg = nullptr;
  const EnumT* en = nullptr;
};

struct EnumT {
  const EnumD* d = nullptr;
  const FileD* file = nullptr;
  std::string full;  // "pkg.Outer.Enum"
  std::string flat;  // "Outer_Enum"
  std::string cpp;   // "::pb::ns::Outer_Enum"
  bool closed = false;
};

struct FieldT {
  const FieldD* d = nullptr;
  std::string member;     // C++ member name
  Kind kind = Kind::int32;
  TypeRef type;           // for messages and enums
  bool repeated = false, presence = false, required = false, packed = false, utf8 = false;
  bool is_map = false;
  const FieldT* key = nullptr;    // map: the entry's key field
  const FieldT* value = nullptr;  // map: the entry's value field
  const MsgT* entry = nullptr;    // map: the entry type
  int oneof = -1;                 // index into MsgT::oneofs, for real oneofs
  bool boxed = false;             // pb::Box instead of std::optional / by value
};

struct OneofT {
  std::string name, member_case, enum_name;
  std::vector<FieldT*> fields;
};

struct MsgT {
  const MessageD* d = nullptr;
  const FileD* file = nullptr;
  std::string full, flat, cpp;
  std::vector<FieldT> fields;
  std::vector<OneofT> oneofs;
  std::vector<const MsgT*> nested_msgs;
  std::vector<const EnumT*> nested_enums;
  bool map_entry = false;
};

struct Model {
  std::vector<FileD> files;
  std::map<std::string, const FileD*> file_by_name;
  // All types by ".full.name" (leading dot, as type_name in descriptors).
  std::map<std::string, std::unique_ptr<MsgT>> msgs;
  std::map<std::string, std::unique_ptr<EnumT>> enums;
  // Per file, in declaration pre-order.
  std::map<const FileD*, std::vector<MsgT*>> file_msgs;
  std::map<const FileD*, std::vector<EnumT*>> file_enums;
};

std::string scalar_cpp(int type) {
  switch (type) {
    case kDouble: return "double";
    case kFloat: return "float";
    case kInt64: case kSfixed64: case kSint64: return "int64_t";
    case kUint64: case kFixed64: return "uint64_t";
    case kInt32: case kSfixed32: case kSint32: return "int32_t";
    case kUint32: case kFixed32: return "uint32_t";
    case kBool: return "bool";
    case kString: return "::std::string";
    case kBytes: return "::net::Bytes";
  }
  return "";
}

std::string kind_expr(Kind k) {
  static const char* names[] = {"",        "double_", "float_", "int64",    "uint64",   "int32",
                                "fixed64", "fixed32", "bool_",  "string",   "group",    "message",
                                "bytes",   "uint32",  "enum_",  "sfixed32", "sfixed64", "sint32",
                                "sint64",  "map"};
  return std::string("::pb::Kind::") + names[static_cast<int>(k)];
}

// The C++ type of one element (no container).
std::string elem_cpp(const FieldT& f) {
  if (f.kind == Kind::message) return f.type.msg->cpp;
  if (f.kind == Kind::enum_) return f.type.en->cpp;
  return scalar_cpp(f.d->type);
}

std::string member_cpp(const FieldT& f) {
  if (f.is_map) return "::std::map<" + elem_cpp(*f.key) + ", " + elem_cpp(*f.value) + ">";
  if (f.repeated) return "::std::vector<" + elem_cpp(f) + ">";
  if (f.boxed) return "::pb::Box<" + elem_cpp(f) + ">";
  if (f.presence) return "::std::optional<" + elem_cpp(f) + ">";
  return elem_cpp(f);
}

// Default value of a plain (non-container) member.
std::string default_expr(const FieldT& f) {
  if (f.kind == Kind::enum_) {
    const EnumD* e = f.type.en->d;
    if (e->values.empty()) die("enum without values: " + f.type.en->full);
    return f.type.en->cpp + "::" + ident(e->values[0].name);
  }
  if (f.kind == Kind::message || f.kind == Kind::string || f.kind == Kind::bytes) return "";
  if (f.d->type == kBool) return "false";
  return "0";
}

// ---- building the model -----------------------------------------------------

void index_types(Model& m, const FileD& f, const std::string& scope_full, const std::string& scope_flat,
                 const std::vector<MessageD>& msgs, const std::vector<EnumD>& enums, MsgT* outer) {
  std::string ns = cpp_namespace(f.package);
  for (const auto& e : enums) {
    auto t = std::make_unique<EnumT>();
    t->d = &e;
    t->file = &f;
    t->full = scope_full + e.name;
    t->flat = scope_flat + e.name;
    t->cpp = "::" + ns + "::" + t->flat;
    t->closed = !f.proto3();
    if (outer) outer->nested_enums.push_back(t.get());
    m.file_enums[&f].push_back(t.get());
    m.enums["." + t->full] = std::move(t);
  }
  for (const auto& d : msgs) {
    auto t = std::make_unique<MsgT>();
    t->d = &d;
    t->file = &f;
    t->full = scope_full + d.name;
    t->flat = scope_flat + d.name;
    t->cpp = "::" + ns + "::" + t->flat;
    t->map_entry = d.options.map_entry;
    MsgT* raw = t.get();
    if (outer) outer->nested_msgs.push_back(raw);
    m.file_msgs[&f].push_back(raw);
    m.msgs["." + t->full] = std::move(t);
    index_types(m, f, raw->full + ".", raw->flat + "_", d.nested, d.enums, raw);
  }
}

Kind kind_of(int type) {
  if (type < kDouble || type > kSint64) die("unknown field type " + std::to_string(type));
  if (type == kGroup) die("groups are not supported");
  return static_cast<Kind>(type);
}

void resolve_fields(Model& m, MsgT& t) {
  const MessageD& d = *t.d;
  const bool proto3 = t.file->proto3();
  for (size_t i = 0; i < d.oneofs.size(); ++i) {
    OneofT o;
    o.name = d.oneofs[i].name;
    o.member_case = ident(o.name + "_case");
    o.enum_name = camel(o.name) + "Case";
    t.oneofs.push_back(o);
  }
  t.fields.reserve(d.fields.size());
  for (const auto& fd : d.fields) {
    FieldT f;
    f.d = &fd;
    f.member = ident(fd.name);
    f.kind = kind_of(fd.type);
    if (f.kind == Kind::message || f.kind == Kind::enum_) {
      if (f.kind == Kind::message) {
        auto it = m.msgs.find(fd.type_name);
        if (it == m.msgs.end()) die("unknown type " + fd.type_name);
        f.type.msg = it->second.get();
        f.type.file = it->second->file;
      } else {
        auto it = m.enums.find(fd.type_name);
        if (it == m.enums.end()) die("unknown type " + fd.type_name);
        f.type.en = it->second.get();
        f.type.file = it->second->file;
      }
    }
    f.repeated = fd.label == kLabelRepeated;
    f.required = fd.label == kLabelRequired;
    f.utf8 = proto3 && f.kind == Kind::string;
    if (fd.oneof_index >= 0 && !fd.proto3_optional) {
      f.oneof = fd.oneof_index;
    } else if (!f.repeated && !f.required) {
      f.presence = fd.proto3_optional || !proto3 || f.kind == Kind::message;
    }
    bool packable = f.repeated && f.kind != Kind::string && f.kind != Kind::bytes &&
                    f.kind != Kind::message;
    f.packed = packable && (fd.options.packed_set ? fd.options.packed : proto3);
    if (f.kind == Kind::message && f.type.msg->map_entry && f.repeated) f.is_map = true;
    t.fields.push_back(f);
  }
  for (auto& f : t.fields)
    if (f.oneof >= 0) t.oneofs[static_cast<size_t>(f.oneof)].fields.push_back(&f);
  // Drop synthetic oneofs (proto3 optional): they have no real members.
  for (auto& o : t.oneofs)
    if (o.fields.empty()) o.name.clear();
}

void resolve_maps(MsgT& t) {
  for (auto& f : t.fields) {
    if (!f.is_map) continue;
    const MsgT* e = f.type.msg;
    if (e->fields.size() != 2 || e->fields[0].d->number != 1 || e->fields[1].d->number != 2)
      die("bad map entry " + e->full);
    f.entry = e;
    f.key = &e->fields[0];
    f.value = &e->fields[1];
  }
}

// Order the structs of a file so that every type held by value (singular
// and oneof message fields) is defined before its user. std::vector and
// std::map members may name a type that is still incomplete (vector since
// C++17; map in libstdc++ and libc++), so they impose no order. A singular
// field that closes a cycle becomes a pb::Box.
void order_file(Model& m, const FileD* f, std::vector<MsgT*>& out) {
  std::map<const MsgT*, int> state;  // 0 new, 1 in progress, 2 done
  std::function<void(MsgT*)> visit = [&](MsgT* t) {
    state[t] = 1;
    // Map values first: they tend to be the tree edges of a cycle
    // (Struct -> map<string, Value> -> Value -> Struct), so the singular
    // field gets boxed and the map holds complete values.
    for (int pass = 0; pass < 2; ++pass) {
      for (auto& fld : t->fields) {
        const MsgT* dep = nullptr;
        if (pass == 0 && fld.is_map && fld.value->kind == Kind::message) dep = fld.value->type.msg;
        if (pass == 1 && !fld.repeated && fld.kind == Kind::message) dep = fld.type.msg;
        if (!dep || dep->file != f) continue;
        int s = state[dep];
        if (s == 1) {
          if (pass == 1) fld.boxed = true;
          continue;
        }
        if (s == 0) visit(const_cast<MsgT*>(dep));
      }
    }
    state[t] = 2;
    if (!t->map_entry) out.push_back(t);
  };
  for (MsgT* t : m.file_msgs[f])
    if (state[t] == 0) visit(t);
}

// ---- emitting ---------------------------------------------------------------

struct Out {
  std::ostringstream s;
  template <class T>
  Out& operator<<(const T& v) {
    s << v;
    return *this;
  }
};

uint8_t flags_of(const FieldT& f) {
  uint8_t fl = 0;
  if (f.repeated) fl |= pb::kRepeated;
  if (f.presence || f.boxed) fl |= pb::kPresence;
  if (f.required) fl |= pb::kRequired;
  if (f.packed) fl |= pb::kPacked;
  if (f.utf8 || (f.is_map && (f.key->utf8 || f.value->utf8))) fl |= pb::kUtf8;
  if (f.oneof >= 0) fl |= pb::kOneof;
  return fl;
}

std::string meta_expr(const FieldT& f) {
  return "::pb::FieldMeta{" + std::to_string(f.d->number) + ", " + quote(f.d->name) + ", " +
         kind_expr(f.is_map ? Kind::map : f.kind) + ", " + std::to_string(flags_of(f)) + "}";
}

void check_names(const MsgT& t) {
  std::set<std::string> used;
  auto add = [&](const std::string& n) {
    if (!used.insert(n).second) die("name clash in " + t.full + ": " + n);
  };
  for (const MsgT* n : t.nested_msgs)
    if (!n->map_entry) add(n->d->name);
  for (const EnumT* e : t.nested_enums) add(e->d->name);
  for (const auto& f : t.fields) add(f.member);
  for (const auto& o : t.oneofs) {
    if (o.name.empty()) continue;
    add(o.member_case);
    add(o.enum_name);
    add("clear_" + o.name);
    for (const FieldT* f : o.fields) add("mutable_" + f->d->name);
  }
}

void emit_enum(Out& h, const EnumT& e) {
  h << "enum class " << e.flat << " : int32_t {\n";
  for (const auto& v : e.d->values) h << "  " << ident(v.name) << " = " << v.number << ",\n";
  h << "};\n\n";
}

void emit_enum_traits(Out& h, const EnumT& e) {
  std::set<int32_t> seen;
  h << "template <>\nstruct EnumTraits<" << e.cpp << "> {\n"
    << "  static constexpr ::std::string_view kFullName = " << quote(e.full) << ";\n"
    << "  static constexpr bool kClosed = " << (e.closed ? "true" : "false") << ";\n"
    << "  static constexpr " << e.cpp << " kValues[] = {";
  for (const auto& v : e.d->values) h << e.cpp << "::" << ident(v.name) << ", ";
  h << "};\n  static constexpr ::std::string_view kNames[] = {";
  for (const auto& v : e.d->values) h << quote(v.name) << ", ";
  h << "};\n  static constexpr bool is_known(" << e.cpp << " v) {\n"
    << "    switch (static_cast<int32_t>(v)) {\n";
  for (const auto& v : e.d->values)
    if (seen.insert(v.number).second) h << "      case " << v.number << ":\n";
  h << "        return true;\n      default:\n        return false;\n    }\n  }\n};\n\n";
}

void emit_struct(Out& h, const MsgT& t, const FileD& f) {
  check_names(t);
  h << "struct " << t.flat << " {\n"
    << "  static constexpr ::std::string_view kFullName = " << quote(t.full) << ";\n"
    << "  static const ::pb::MsgInfo kInfo;\n";
  for (const MsgT* n : t.nested_msgs)
    if (!n->map_entry) h << "  using " << n->d->name << " = " << n->flat << ";\n";
  for (const EnumT* e : t.nested_enums) h << "  using " << e->d->name << " = " << e->flat << ";\n";
  std::set<int> oneofs_done;
  for (const auto& fl : t.fields) {
    if (fl.oneof >= 0 && oneofs_done.insert(fl.oneof).second) {
      const OneofT& o = t.oneofs[static_cast<size_t>(fl.oneof)];
      h << "\n  enum class " << o.enum_name << " : uint32_t {\n    none = 0,\n";
      for (const FieldT* of : o.fields) h << "    " << of->member << " = " << of->d->number << ",\n";
      h << "  };\n  " << o.enum_name << " " << o.member_case << " = " << o.enum_name << "::none;\n";
    }
    std::string def = (fl.repeated || fl.presence || fl.boxed) ? "" : default_expr(fl);
    h << "  " << member_cpp(fl) << " " << fl.member;
    if (!def.empty()) h << " = " << def;
    h << ";\n";
  }
  if (!t.fields.empty()) h << "\n";
  h << "  void encode(::net::Bytes& out) const;  // appends\n"
    << "  ::net::Bytes encode() const {\n    ::net::Bytes b;\n    b.reserve(encoded_size());\n    encode(b);\n    return b;\n  }\n"
    << "  size_t encoded_size() const;\n"
    << "  ::net::Status decode(::net::BytesView in, const ::pb::Limits& lim = {});  // replaces *this\n"
    << "  void merge_from(::pb::Cursor& c);  // (decode internals)\n"
    << "  bool operator==(const " << t.flat << "& o) const;\n";
  for (const auto& o : t.oneofs) {
    if (o.name.empty()) continue;
    h << "  void clear_" << o.name << "();\n";
    for (const FieldT* of : o.fields)
      h << "  " << elem_cpp(*of) << "& mutable_" << of->d->name << "();  // sets " << o.member_case
        << "\n";
  }
  h << "  template <class V>\n  void visit_fields(V&& v) {\n    visit_(*this, v);\n  }\n"
    << "  template <class V>\n  void visit_fields(V&& v) const {\n    visit_(*this, v);\n  }\n"
    << "  template <class S, class V>\n  static void visit_(S& s, V& v) {\n";
  if (t.fields.empty()) h << "    (void)s;\n    (void)v;\n";
  for (const auto& fl : t.fields) {
    if (fl.oneof >= 0) {
      const OneofT& o = t.oneofs[static_cast<size_t>(fl.oneof)];
      h << "    v.oneof(" << meta_expr(fl) << ", s." << fl.member << ", s." << o.member_case << ", "
        << o.enum_name << "::" << fl.member << ");\n";
    } else {
      h << "    v(" << meta_expr(fl) << ", s." << fl.member << ");\n";
    }
  }
  h << "  }\n};\n\n";
  (void)f;
}

// Code that writes value `v` of field f (no presence check) with number n.
std::string enc_value(const FieldT& f, const std::string& v, uint32_t n) {
  std::string ns = std::to_string(n);
  switch (f.kind) {
    case Kind::string: return "e.str(" + ns + ", " + v + ");";
    case Kind::bytes: return "e.bytes(" + ns + ", " + v + ");";
    case Kind::message: return "e.msg(" + ns + ", " + v + ");";
    default: return "e.scalar<" + kind_expr(f.kind) + ">(" + ns + ", " + v + ");";
  }
}

std::string size_value(const FieldT& f, const std::string& v, uint32_t n) {
  std::string ns = std::to_string(n);
  switch (f.kind) {
    case Kind::string: case Kind::bytes: return "::pb::len_field_len(" + ns + ", " + v + ".size())";
    case Kind::message: return "::pb::len_field_len(" + ns + ", " + v + ".encoded_size())";
    default: return "::pb::scalar_len<" + kind_expr(f.kind) + ">(" + ns + ", " + v + ")";
  }
}

void emit_encode(Out& c, const MsgT& t) {
  std::vector<const FieldT*> by_number;
  for (const auto& f : t.fields) by_number.push_back(&f);
  std::sort(by_number.begin(), by_number.end(),
            [](const FieldT* a, const FieldT* b) { return a->d->number < b->d->number; });

  c << "void " << t.flat << "::encode(::net::Bytes& out) const {\n";
  if (by_number.empty()) c << "  (void)out;\n";
  else c << "  ::pb::Encoder e(out);\n";
  for (const FieldT* fp : by_number) {
    const FieldT& f = *fp;
    uint32_t n = f.d->number;
    const std::string& m = f.member;
    if (f.is_map) {
      c << "  e.map<" << kind_expr(f.key->kind) << ", " << kind_expr(f.value->kind) << ">(" << n << ", "
        << m << ");\n";
    } else if (f.repeated) {
      if (f.packed)
        c << "  e.packed<" << kind_expr(f.kind) << ">(" << n << ", " << m << ");\n";
      else
        c << "  for (const auto& x : " << m << ") " << enc_value(f, "x", n) << "\n";
    } else if (f.oneof >= 0) {
      const OneofT& o = t.oneofs[static_cast<size_t>(f.oneof)];
      c << "  if (" << o.member_case << " == " << o.enum_name << "::" << m << ") ";
      if (f.boxed)
        c << "{\n    if (" << m << ") " << enc_value(f, "*" + m, n) << "\n    else e.str(" << n
          << ", {});\n  }\n";
      else
        c << enc_value(f, m, n) << "\n";
    } else if (f.presence || f.boxed) {
      c << "  if (" << m << ") " << enc_value(f, "*" + m, n) << "\n";
    } else if (f.required) {
      c << "  " << enc_value(f, m, n) << "\n";
    } else {
      c << "  if (::pb::is_set(" << m << ")) " << enc_value(f, m, n) << "\n";
    }
  }
  c << "}\n\n";

  c << "size_t " << t.flat << "::encoded_size() const {\n  size_t n = 0;\n";
  for (const FieldT* fp : by_number) {
    const FieldT& f = *fp;
    uint32_t n = f.d->number;
    const std::string& m = f.member;
    if (f.is_map) {
      c << "  n += ::pb::map_len<" << kind_expr(f.key->kind) << ", " << kind_expr(f.value->kind) << ">(" << n
        << ", " << m << ");\n";
    } else if (f.repeated) {
      if (f.packed)
        c << "  n += ::pb::packed_len<" << kind_expr(f.kind) << ">(" << n << ", " << m << ");\n";
      else
        c << "  for (const auto& x : " << m << ") n += " << size_value(f, "x", n) << ";\n";
    } else if (f.oneof >= 0) {
      const OneofT& o = t.oneofs[static_cast<size_t>(f.oneof)];
      c << "  if (" << o.member_case << " == " << o.enum_name << "::" << m << ") ";
      if (f.boxed)
        c << "n += " << m << " ? " << size_value(f, "(*" + m + ")", n)
          << " : ::pb::len_field_len(" << n << ", 0);\n";
      else
        c << "n += " << size_value(f, m, n) << ";\n";
    } else if (f.presence || f.boxed) {
      c << "  if (" << m << ") n += " << size_value(f, "(*" + m + ")", n) << ";\n";
    } else if (f.required) {
      c << "  n += " << size_value(f, m, n) << ";\n";
    } else {
      c << "  if (::pb::is_set(" << m << ")) n += " << size_value(f, m, n) << ";\n";
    }
  }
  c << "  return n;\n}\n\n";
}

// Expression reading the current field of cursor `cur` into lvalue `dst`.
std::string read_expr(const FieldT& f, const std::string& cur, const std::string& dst) {
  switch (f.kind) {
    case Kind::string: return cur + ".str(" + dst + ", " + (f.utf8 ? "true" : "false") + ")";
    case Kind::bytes: return cur + ".bytes(" + dst + ")";
    case Kind::message: return cur + ".msg(" + dst + ")";
    default: return cur + ".get<" + kind_expr(f.kind) + ">(" + dst + ")";
  }
}

bool closed_enum(const FieldT& f) { return f.kind == Kind::enum_ && f.type.en->closed; }

void emit_decode(Out& c, const MsgT& t) {
  std::vector<const FieldT*> req;
  for (const auto& f : t.fields)
    if (f.required) req.push_back(&f);
  if (req.size() > 32) die("too many required fields in " + t.full);

  c << "void " << t.flat << "::merge_from(::pb::Cursor& c) {\n";
  if (!req.empty()) c << "  uint32_t seen = 0;\n";
  c << "  while (c.next()) {\n    switch (c.number()) {\n";
  for (const auto& f : t.fields) {
    const std::string& m = f.member;
    std::string seen;
    for (size_t i = 0; i < req.size(); ++i)
      if (req[i] == &f) seen = " seen |= " + std::to_string(1u << i) + "u;";
    c << "      case " << f.d->number << ": {\n";
    if (f.is_map) {
      c << "        c.map<" << kind_expr(f.key->kind) << ", " << kind_expr(f.value->kind) << ">(" << m
        << ", kEntryInfo_" << t.flat << "_" << f.d->name << ", "
        << (f.key->utf8 || f.value->utf8 ? "true" : "false") << ");\n";
    } else if (f.repeated) {
      if (f.kind == Kind::string)
        c << "        c.rep_str(" << m << ", " << (f.utf8 ? "true" : "false") << ");\n";
      else if (f.kind == Kind::bytes)
        c << "        c.rep_bytes(" << m << ");\n";
      else if (f.kind == Kind::message)
        c << "        c.rep_msg(" << m << ");\n";
      else if (closed_enum(f))
        c << "        c.rep<" << kind_expr(f.kind) << ">(" << m << ", &::pb::EnumTraits<" << elem_cpp(f)
          << ">::is_known);\n";
      else
        c << "        c.rep<" << kind_expr(f.kind) << ">(" << m << ");\n";
    } else {
      std::string dst;
      if (f.oneof >= 0) dst = "mutable_" + f.d->name + "()";
      else if (f.kind == Kind::message && (f.presence || f.boxed)) dst = "@opt";
      else if (f.presence && (f.kind == Kind::string || f.kind == Kind::bytes)) dst = m + ".emplace()";
      else if (!f.presence) dst = m;
      bool scalar = f.kind != Kind::message && f.kind != Kind::string && f.kind != Kind::bytes;
      if (closed_enum(f)) {
        // proto2 enums are closed: an unknown value leaves the field unset.
        c << "        " << elem_cpp(f) << " x{};\n        " << read_expr(f, "c", "x")
          << ";\n        if (::pb::EnumTraits<" << elem_cpp(f) << ">::is_known(x)) {\n          "
          << (f.oneof >= 0 ? dst : m) << " = x;" << seen << "\n        }\n";
      } else if (dst.empty() || (f.oneof >= 0 && scalar)) {
        // optional scalar, or scalar oneof member: read, then assign
        c << "        " << elem_cpp(f) << " x{};\n        " << read_expr(f, "c", "x") << ";\n        "
          << (dst.empty() ? m : dst) << " = x;" << seen << "\n";
      } else if (dst == "@opt") {
        c << "        c.opt_msg(" << m << ");" << seen << "\n";
      } else {
        c << "        " << read_expr(f, "c", dst) << ";" << seen << "\n";
      }
    }
    c << "        break;\n      }\n";
  }
  c << "      default:\n        c.skip();\n    }\n  }\n";
  for (size_t i = 0; i < req.size(); ++i)
    c << "  if (!(seen & " << (1u << i) << "u)) c.missing_required(" << req[i]->d->number << ");\n";
  c << "}\n\n";
}

void emit_decode_top(Out& c, const MsgT& t) {
  c << "::net::Status " << t.flat << "::decode(::net::BytesView in, const ::pb::Limits& lim) {\n"
    << "  ::pb::reset(*this);\n  return ::pb::decode_message(*this, in, lim);\n}\n\n";
}

void emit_equals(Out& c, const MsgT& t) {
  c << "bool " << t.flat << "::operator==(const " << t.flat << "& o) const {\n";
  if (t.fields.empty()) c << "  (void)o;\n";
  for (const auto& f : t.fields)
    if (f.oneof < 0) c << "  if (!::pb::eq(" << f.member << ", o." << f.member << ")) return false;\n";
  for (const auto& o : t.oneofs) {
    if (o.name.empty()) continue;
    c << "  if (" << o.member_case << " != o." << o.member_case << ") return false;\n  switch ("
      << o.member_case << ") {\n";
    for (const FieldT* f : o.fields)
      c << "    case " << o.enum_name << "::" << f->member << ":\n      return ::pb::"
        << (f->boxed ? "eq_boxed(" : "eq(") << f->member << ", o." << f->member << ");\n";
    c << "    default:\n      return true;\n  }\n";
  }
  c << "  return true;\n}\n\n";
}

void emit_oneof_helpers(Out& c, const MsgT& t) {
  for (const auto& o : t.oneofs) {
    if (o.name.empty()) continue;
    c << "void " << t.flat << "::clear_" << o.name << "() {\n  switch (" << o.member_case << ") {\n";
    for (const FieldT* f : o.fields) {
      c << "    case " << o.enum_name << "::" << f->member << ":\n      ";
      if (f->boxed) c << f->member << ".reset();\n";
      else if (f->kind == Kind::message || f->kind == Kind::string || f->kind == Kind::bytes)
        c << "::pb::reset(" << f->member << ");\n";
      else
        c << f->member << " = " << default_expr(*f) << ";\n";
      c << "      break;\n";
    }
    c << "    default:\n      break;\n  }\n  " << o.member_case << " = " << o.enum_name
      << "::none;\n}\n\n";
    for (const FieldT* f : o.fields) {
      c << elem_cpp(*f) << "& " << t.flat << "::mutable_" << f->d->name << "() {\n  if ("
        << o.member_case << " != " << o.enum_name << "::" << f->member << ") {\n    clear_" << o.name
        << "();\n    " << o.member_case << " = " << o.enum_name << "::" << f->member << ";\n  }\n";
      if (f->boxed) c << "  return ::pb::ensure(" << f->member << ");\n}\n\n";
      else c << "  return " << f->member << ";\n}\n\n";
    }
  }
}

void emit_info(Out& c, const MsgT& t) {
  c << "static constinit const ::pb::FieldInfo kFields_" << t.flat << "[] = {";
  for (const auto& f : t.fields) c << "{" << f.d->number << ", " << quote(f.d->name) << "}, ";
  if (t.fields.empty()) c << "{0, \"\"}";
  c << "};\nconstinit const ::pb::MsgInfo " << t.flat << "::kInfo = {" << quote(t.full) << ", kFields_"
    << t.flat << ", " << t.fields.size() << "};\n";
  for (const auto& f : t.fields) {
    if (!f.is_map) continue;
    c << "static constinit const ::pb::FieldInfo kEntryFields_" << t.flat << "_" << f.d->name
      << "[] = {{1, \"key\"}, {2, \"value\"}};\n"
      << "static constinit const ::pb::MsgInfo kEntryInfo_" << t.flat << "_" << f.d->name << " = {"
      << quote(f.entry->full) << ", kEntryFields_" << t.flat << "_" << f.d->name << ", 2};\n";
  }
  c << "\n";
}

void emit_service_decl(Out& h, const ServiceD& s, const FileD& f, const Model& m) {
  std::string full = f.package.empty() ? s.name : f.package + "." + s.name;
  h << "struct " << s.name << " {\n"
    << "  static constexpr ::std::string_view kFullName = " << quote(full) << ";\n"
    << "  static const ::pb::ServiceInfo kInfo;\n";
  size_t i = 0;
  for (const auto& md : s.methods) {
    auto in = m.msgs.find(md.input);
    auto out = m.msgs.find(md.output);
    if (in == m.msgs.end() || out == m.msgs.end()) die("unknown method type in " + full);
    h << "  struct " << ident(md.name) << " {\n"
      << "    using Request = " << in->second->cpp << ";\n"
      << "    using Response = " << out->second->cpp << ";\n"
      << "    static constexpr ::std::string_view kPath = " << quote("/" + full + "/" + md.name)
      << ";\n"
      << "    static constexpr bool kClientStreaming = " << (md.client_streaming ? "true" : "false")
      << ";\n"
      << "    static constexpr bool kServerStreaming = " << (md.server_streaming ? "true" : "false")
      << ";\n"
      << "    static constexpr size_t kIndex = " << i++ << ";  // in kInfo.methods\n  };\n";
  }
  h << "  using Methods = ::pb::TypeList<";
  for (size_t j = 0; j < s.methods.size(); ++j) h << (j ? ", " : "") << ident(s.methods[j].name);
  h << ">;\n};\n\n";
}

void emit_service_def(Out& c, const ServiceD& s, const FileD& f) {
  std::string full = f.package.empty() ? s.name : f.package + "." + s.name;
  c << "static constinit const ::pb::MethodInfo kMethods_" << s.name << "[] = {\n";
  for (const auto& md : s.methods)
    c << "    {" << quote(md.name) << ", " << quote("/" + full + "/" + md.name) << ", "
      << quote(md.input.substr(1)) << ", " << quote(md.output.substr(1)) << ", "
      << (md.client_streaming ? "true" : "false") << ", "
      << (md.server_streaming ? "true" : "false") << "},\n";
  c << "};\nconstinit const ::pb::ServiceInfo " << s.name << "::kInfo = {" << quote(full) << ", "
    << quote(f.name) << ", kMethods_" << s.name << "};\n\n";
}

void write_if_changed(const std::string& path, const std::string& content) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream old;
      old << in.rdbuf();
      if (old.str() == content) return;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) die("cannot write " + path);
}

const char* kBanner = "// Generated by proto/tools/protogen from ";

void emit_file(const Model& m, const FileD& f, const std::string& out_dir) {
  std::string base = strip_proto(f.name);
  std::string ns = cpp_namespace(f.package).substr(0);  // "pb::a::b"
  Out h, c;
  h << kBanner << f.name << ". Do not edit.\n#pragma once\n\n"
    << "#include <cstdint>\n#include <map>\n#include <optional>\n#include <string>\n"
    << "#include <string_view>\n#include <vector>\n\n#include \"proto/runtime/pb.hpp\"\n";
  for (const auto& d : f.deps) h << "#include \"proto/" << strip_proto(d) << ".pb.hpp\"\n";
  h << "\nnamespace " << ns << " {\n\n";

  auto fe = m.file_enums.find(&f);
  if (fe != m.file_enums.end())
    for (const EnumT* e : fe->second) emit_enum(h, *e);

  std::vector<MsgT*> order;
  auto fm = m.file_msgs.find(&f);
  if (fm != m.file_msgs.end()) {
    for (const MsgT* t : fm->second)
      if (!t->map_entry) h << "struct " << t->flat << ";\n";
    h << "\n";
    order_file(const_cast<Model&>(m), &f, order);
  }
  for (const MsgT* t : order) emit_struct(h, *t, f);
  for (const auto& s : f.services) emit_service_decl(h, s, f, m);
  h << "}  // namespace " << ns << "\n\nnamespace pb {\n\n";
  if (fe != m.file_enums.end())
    for (const EnumT* e : fe->second) emit_enum_traits(h, *e);
  h << "namespace files {\n// Every message of " << f.name << ", in definition order.\nusing "
    << file_ident(f.name) << " = ::pb::TypeList<";
  for (size_t i = 0; i < order.size(); ++i) h << (i ? ", " : "") << order[i]->cpp;
  h << ">;\n}  // namespace files\n\n}  // namespace pb\n";

  c << kBanner << f.name << ". Do not edit.\n#include \"proto/" << base << ".pb.hpp\"\n\n"
    << "namespace " << ns << " {\n\n";
  if (fm != m.file_msgs.end()) {
    for (const MsgT* t : order) {
      c << "// ---- " << t->full << "\n\n";
      emit_info(c, *t);
      emit_encode(c, *t);
      emit_decode(c, *t);
      emit_decode_top(c, *t);
      emit_equals(c, *t);
      emit_oneof_helpers(c, *t);
    }
  }
  for (const auto& s : f.services) emit_service_def(c, s, f);
  c << "}  // namespace " << ns << "\n";

  write_if_changed(out_dir + "/" + base + ".pb.hpp", h.s.str());
  write_if_changed(out_dir + "/" + base + ".pb.cpp", c.s.str());
}

void emit_registry(const Model& m, const std::string& out_dir) {
  Out c;
  c << kBanner << "the descriptor set. Do not edit.\n"
    << "// Services and serialized FileDescriptorProtos (pb_registry.hpp).\n"
    << "#include <algorithm>\n\n#include \"proto/runtime/pb_registry.hpp\"\n";
  for (const auto& f : m.files)
    if (!f.services.empty()) c << "#include \"proto/" << strip_proto(f.name) << ".pb.hpp\"\n";
  c << "\nnamespace pb {\nnamespace {\n\n";
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < m.files.size(); ++i) index[m.files[i].name] = i;
  for (size_t i = 0; i < m.files.size(); ++i) {
    const FileD& f = m.files[i];
    c << "// " << f.name << "\nconst uint8_t kDescriptor" << i << "[] = {";
    for (size_t j = 0; j < f.raw.size(); ++j) {
      if (j % 20 == 0) c << "\n   ";
      c << " " << static_cast<int>(f.raw[j]) << ",";
    }
    c << "\n};\n";
    if (!f.deps.empty()) {
      c << "const uint16_t kDeps" << i << "[] = {";
      for (const auto& d : f.deps) {
        auto it = index.find(d);
        if (it == index.end()) die("missing dependency " + d);
        c << it->second << ", ";
      }
      c << "};\n";
    }
  }
  c << "\nconstinit const FileInfo kFiles[] = {\n";
  for (size_t i = 0; i < m.files.size(); ++i) {
    const FileD& f = m.files[i];
    c << "    {" << quote(f.name) << ", {kDescriptor" << i << ", sizeof kDescriptor" << i << "}, ";
    if (f.deps.empty()) c << "{}";
    else c << "{kDeps" << i << ", " << f.deps.size() << "}";
    c << "},\n";
  }
  c << "};\n\n";

  // Symbols: messages, enums, services and methods, sorted for binary search.
  std::vector<std::pair<std::string, size_t>> syms;
  for (size_t i = 0; i < m.files.size(); ++i) {
    const FileD& f = m.files[i];
    std::string pre = f.package.empty() ? "" : f.package + ".";
    for (const auto& s : f.services) {
      syms.push_back({pre + s.name, i});
      for (const auto& md : s.methods) syms.push_back({pre + s.name + "." + md.name, i});
    }
  }
  for (const auto& [name, t] : m.msgs)
    syms.push_back({name.substr(1), index.at(t->file->name)});
  for (const auto& [name, e] : m.enums)
    syms.push_back({name.substr(1), index.at(e->file->name)});
  std::sort(syms.begin(), syms.end());
  c << "struct Symbol {\n  std::string_view name;\n  uint16_t file;\n};\n"
    << "constinit const Symbol kSymbols[] = {\n";
  for (const auto& [n, i] : syms) c << "    {" << quote(n) << ", " << i << "},\n";
  c << "};\n\nconstinit const ServiceInfo* const kServices[] = {\n";
  size_t nservices = 0;
  for (const auto& f : m.files)
    for (const auto& s : f.services) {
      c << "    &" << cpp_namespace(f.package) << "::" << s.name << "::kInfo,\n";
      ++nservices;
    }
  if (nservices == 0) c << "    nullptr,\n";
  c << "};\n\n}  // namespace\n\n"
    << "std::span<const FileInfo> all_files() { return kFiles; }\n\n"
    << "const FileInfo* find_file(std::string_view name) {\n"
    << "  for (const FileInfo& f : kFiles)\n    if (f.name == name) return &f;\n"
    << "  return nullptr;\n}\n\n"
    << "const FileInfo* find_file_by_symbol(std::string_view full_name) {\n"
    << "  auto it = std::lower_bound(std::begin(kSymbols), std::end(kSymbols), full_name,\n"
    << "                             [](const Symbol& s, std::string_view n) { return s.name < n; });\n"
    << "  if (it == std::end(kSymbols) || it->name != full_name) return nullptr;\n"
    << "  return &kFiles[it->file];\n}\n\n"
    << "std::span<const ServiceInfo* const> all_services() { return {kServices, " << nservices
    << "}; }\n\n"
    << "const ServiceInfo* find_service(std::string_view full_name) {\n"
    << "  for (const ServiceInfo* s : all_services())\n    if (s->full_name == full_name) return s;\n"
    << "  return nullptr;\n}\n\n"
    << "const MethodInfo* find_method(std::string_view path) {\n"
    << "  if (path.size() < 4 || path[0] != '/') return nullptr;\n"
    << "  size_t slash = path.find('/', 1);\n"
    << "  if (slash == std::string_view::npos) return nullptr;\n"
    << "  const ServiceInfo* s = find_service(path.substr(1, slash - 1));\n"
    << "  if (!s) return nullptr;\n"
    << "  for (const MethodInfo& mi : s->methods)\n    if (mi.path == path) return &mi;\n"
    << "  return nullptr;\n}\n\n}  // namespace pb\n";
  write_if_changed(out_dir + "/registry.pb.cpp", c.s.str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: protogen <descriptor_set.pb> <out_dir>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) die(std::string("cannot read ") + argv[1]);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FileSetD set;
  pb::Limits lim;
  lim.max_message_len = 256u << 20;
  lim.max_elements = 1u << 24;
  lim.max_repeated = 1u << 20;
  net::Status s = pb::decode_message(set, net::as_bytes(data), lim);
  if (!s) die(std::string(argv[1]) + ": " + s.what());

  Model m;
  m.files = std::move(set.files);
  for (const auto& f : m.files) {
    m.file_by_name[f.name] = &f;
    index_types(m, f, f.package.empty() ? "" : f.package + ".", "", f.messages, f.enums, nullptr);
  }
  for (auto& [name, t] : m.msgs) resolve_fields(m, *t);
  for (auto& [name, t] : m.msgs) resolve_maps(*t);
  for (const auto& f : m.files) emit_file(m, f, argv[2]);
  emit_registry(m, argv[2]);
  return 0;
}
