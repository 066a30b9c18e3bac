// Unit tests: frontends/mcp_proxy — command line splitting (simple shell
// quoting), task -> tool arguments, result -> artifact, tools -> card
// skills (new card / existing card), and the line framing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frontends/mcp_proxy/command_line.hpp"
#include "frontends/mcp_proxy/line_reader.hpp"
#include "frontends/mcp_proxy/tool_task.hpp"

using namespace frontends::mcp_proxy;
namespace json = frontends::json;
using Words = std::vector<std::string>;

TEST_CASE("mcp_proxy: split_command quotes like a shell, runs no shell") {
  CHECK(*split_command("node server.js") == Words{"node", "server.js"});
  CHECK(*split_command("  uvx\tmcp-server-filesystem   /tmp  ") == Words{"uvx", "mcp-server-filesystem", "/tmp"});
  CHECK(*split_command("node '/path with spaces/s.js' --name \"my \\\"srv\\\"\"") ==
        Words{"node", "/path with spaces/s.js", "--name", "my \"srv\""});
  CHECK(*split_command("a'b c'd") == Words{"ab cd"});
  CHECK(*split_command("x '' y") == Words{"x", "", "y"});
  CHECK(*split_command("a\\ b c") == Words{"a b", "c"});
  CHECK(*split_command("'a\\'b") == Words{"a\\b"});  // no escapes inside '...'
  CHECK(*split_command("\"$HOME ~ *\" $PATH | ;") == Words{"$HOME ~ *", "$PATH", "|", ";"});
  CHECK(*split_command("\"a\\$b\\`c\\\\d\\e\"") == Words{"a$b`c\\d\\e"});
  CHECK(*split_command("sh -c 'echo hi; exec node s.js'") == Words{"sh", "-c", "echo hi; exec node s.js"});
  for (const char* bad : {"", "   ", "\t\n"}) CHECK(split_command(bad).what() == "empty command");
  CHECK(split_command("node 'abc").what() == "unterminated ' quote");
  CHECK(split_command("node \"abc").what() == "unterminated \" quote");
  CHECK(split_command("node abc\\").what() == "trailing backslash");
  CHECK(split_command(std::string(kMaxCommandLen + 1, 'a')).err() == net::Err::limit);
  std::string many;
  for (size_t i = 0; i <= kMaxCommandWords; ++i) many += "w ";
  CHECK(split_command(many).err() == net::Err::limit);
}

namespace {
a2a::Task task_with(std::vector<std::string> texts, bool data_first = false) {
  a2a::Task t;
  t.task_id = "t1";
  t.target_skill_id = "add";
  auto& m = t.messages.emplace_back();
  if (data_first) m.parts.emplace_back().content_case = a2a::v1::Part::ContentCase::data_part;
  for (auto& s : texts) {
    auto& p = m.parts.emplace_back();
    p.content_case = a2a::v1::Part::ContentCase::text_part;
    p.text_part.text = s;
  }
  return t;
}
}  // namespace

TEST_CASE("mcp_proxy: task arguments from the first text part") {
  json::Parser p;
  CHECK(*task_arguments(task_with({"{ \"a\" : 1,\n \"b\": [2, 3] }"}), p) == R"({"a":1,"b":[2,3]})");
  CHECK(*task_arguments(task_with({R"({"a":1})", R"({"b":2})"}), p) == R"({"a":1})");  // the first text part only
  CHECK(*task_arguments(task_with({R"({"x":"y"})"}, true), p) == R"({"x":"y"})");     // non-text parts skipped
  CHECK(*task_arguments(task_with({}), p) == "{}");
  CHECK(*task_arguments(task_with({"  \n"}), p) == "{}");
  CHECK(*task_arguments(task_with({"null"}), p) == "{}");
  a2a::Task none;
  CHECK(*task_arguments(none, p) == "{}");
  CHECK(*task_arguments(task_with({R"({"s":"line\nbreak \u2028"})"}), p) == R"({"s":"line\nbreak \u2028"})");
  auto r = task_arguments(task_with({"[1,2]"}), p);
  CHECK(r.what() == "arguments must be a JSON object, got array");
  r = task_arguments(task_with({"add 1 and 2"}), p);
  CHECK(r.err() == net::Err::invalid);
  CHECK(r.what().rfind("arguments are not JSON: json: ", 0) == 0);
  CHECK(task_arguments(task_with({"\"s\""}), p).what() == "arguments must be a JSON object, got string");
  CHECK(task_arguments(task_with({std::string(kMaxArgumentsLen + 1, ' ') + "{}"}), p).err() == net::Err::limit);
}

TEST_CASE("mcp_proxy: result artifact holds the raw JSON in one text part") {
  auto a = result_artifact("add", R"({"content":[{"type":"text","text":"3"}]})");
  CHECK(a.name == "add");
  CHECK_FALSE(a.artifact_id.empty());
  REQUIRE(a.parts.size() == 1);
  CHECK(a.parts[0].content_case == a2a::v1::Part::ContentCase::text_part);
  CHECK(a.parts[0].text_part.text == R"({"content":[{"type":"text","text":"3"}]})");
}

TEST_CASE("mcp_proxy: tools become card skills") {
  std::vector<Tool> tools = {{"add", "adds", R"({"type":"object"})"}, {"echo", "", ""}};
  SUBCASE("no card: the original's proxy card") {
    auto c = card_with_tools(std::nullopt, {}, tools, "d");
    CHECK(c.name == "MCP Proxy Agent");
    CHECK(c.version == "0.7.0");
    CHECK(c.protocol_version == "a2a/0.3");
    CHECK(c.description == "d");
    REQUIRE(c.skills.size() == 2);
    CHECK(c.skills[0].id == "add");
    CHECK(c.skills[0].description == "adds");
    CHECK(c.skills[0].input_schema == R"({"type":"object"})");
    CHECK(c.skills[1].id == "echo");
  }
  SUBCASE("an existing card keeps its other skills; same ids replaced; earlier tools removed") {
    a2a::AgentCard mine;
    mine.name = "my agent";
    mine.version = "2";
    for (const char* id : {"translate", "add", "old-tool"}) mine.skills.emplace_back().id = id;
    mine.skills[1].description = "mine";
    auto c = card_with_tools(mine, {"old-tool"}, tools, "d");
    CHECK(c.name == "my agent");
    CHECK(c.version == "2");
    std::vector<std::string> ids;
    for (auto& s : c.skills) ids.push_back(s.id);
    CHECK(ids == Words{"translate", "add", "echo"});
    CHECK(c.skills[1].description == "adds");
    // Same tools again: the same card (the proxy then skips set_card).
    CHECK(card_with_tools(c, {"add", "echo"}, tools, "d") == c);
  }
}

TEST_CASE("mcp_proxy: line framing across reads, CRLF, oversize lines skipped to the newline") {
  LineReader r(8);
  std::vector<std::pair<std::string, bool>> got;
  auto sink = [&](std::string_view l, bool over) { got.emplace_back(std::string(l), over); };
  r.feed("ab", sink);
  r.feed("c\r\nde\n\nf", sink);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == std::pair<std::string, bool>{"abc", false});
  CHECK(got[1] == std::pair<std::string, bool>{"de", false});
  CHECK(got[2] == std::pair<std::string, bool>{"", false});
  got.clear();
  r.feed("12345678", sink);  // f + 8 = 9 bytes: over
  REQUIRE(got.size() == 1);
  CHECK(got[0] == std::pair<std::string, bool>{"f1234567", true});
  r.feed("more more more\nok\n", sink);
  REQUIRE(got.size() == 2);
  CHECK(got[1] == std::pair<std::string, bool>{"ok", false});
  got.clear();
  r.feed("12345678\n", sink);  // exactly the limit
  r.feed("last", sink);
  r.finish(sink);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::pair<std::string, bool>{"12345678", false});
  CHECK(got[1] == std::pair<std::string, bool>{"last", false});
  CHECK(r.buffered() == 0);
}
