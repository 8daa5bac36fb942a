// The dependency graph: start order and its tie-break, every start-up error, every
// disable chain message, optional dependencies, and markFailed while the host runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/plugins/graph.hpp"

using orrery::plugins::GraphError;
using orrery::plugins::Manifest;
using orrery::plugins::PluginGraph;
using orrery::plugins::PluginState;
using orrery::plugins::PluginType;

namespace {

using Strings = std::vector<std::string>;
using Disabled = std::vector<std::pair<std::string, std::string>>;

Manifest plugin(const std::string& id, Strings required = {}, Strings optional = {},
                PluginType type = PluginType::standard) {
  Manifest m;
  m.id = id;
  m.type = type;
  m.requiredPlugins = std::move(required);
  m.optionalPlugins = std::move(optional);
  m.configPath = id;
  m.library = "lib" + id + ".so";
  m.file = id + ".json";
  return m;
}

Manifest preboot(const std::string& id, Strings required = {}, Strings optional = {}) {
  return plugin(id, std::move(required), std::move(optional), PluginType::preboot);
}

PluginGraph graphOf(std::vector<Manifest> manifests, const std::set<std::string>& disabled = {}) {
  auto built = PluginGraph::build(std::move(manifests), disabled);
  if (auto* errors = std::get_if<std::vector<GraphError>>(&built)) {
    std::string text;
    for (const auto& e : *errors) text += e.message + "\n";
    FAIL(text);
  }
  return std::get<PluginGraph>(std::move(built));
}

std::vector<GraphError> errorsOf(std::vector<Manifest> manifests) {
  auto built = PluginGraph::build(std::move(manifests), {});
  REQUIRE_MESSAGE(std::holds_alternative<std::vector<GraphError>>(built), "built without errors");
  return std::get<std::vector<GraphError>>(std::move(built));
}

Strings messages(const std::vector<GraphError>& errors) {
  Strings out;
  for (const auto& e : errors) out.push_back(e.message);
  return out;
}

Strings order(const PluginGraph& graph) {
  Strings out;
  for (const auto& entry : graph.entries()) out.push_back(entry.manifest.id);
  return out;
}

std::string reasonOf(const PluginGraph& graph, const std::string& id) {
  const auto* entry = graph.find(id);
  REQUIRE(entry != nullptr);
  return entry->reason;
}

}  // namespace

TEST_CASE("start order: dependencies first, ties broken by id") {
  SUBCASE("no dependencies: alphabetical") {
    CHECK(order(graphOf({plugin("c"), plugin("a"), plugin("b")})) == Strings{"a", "b", "c"});
  }
  SUBCASE("a dependency goes first even when its id sorts last") {
    CHECK(order(graphOf({plugin("a", {"z"}), plugin("z")})) == Strings{"z", "a"});
  }
  SUBCASE("the smallest ready id is taken at each step") {
    // Ready at first: a, d. After a, c (optional on a) is ready and beats d.
    const auto graph =
        graphOf({plugin("b", {"d"}), plugin("a"), plugin("d"), plugin("c", {}, {"a"})});
    CHECK(order(graph) == Strings{"a", "c", "d", "b"});
  }
  SUBCASE("the order does not depend on discovery order") {
    std::vector<Manifest> manifests{plugin("http"), plugin("storage", {"http"}),
                                    plugin("tasks", {"storage"}, {"security"}),
                                    plugin("security", {"http"}), plugin("alerts", {"tasks"})};
    const Strings expected{"http", "security", "storage", "tasks", "alerts"};
    std::sort(manifests.begin(), manifests.end(),
              [](const Manifest& a, const Manifest& b) { return a.id < b.id; });
    do {
      CHECK(order(graphOf(manifests)) == expected);
    } while (std::next_permutation(manifests.begin(), manifests.end(),
                                   [](const Manifest& a, const Manifest& b) { return a.id < b.id; }));
  }
}

TEST_CASE("preboot plugins start before all standard plugins") {
  const auto graph = graphOf({plugin("alpha"), preboot("setup", {"holds"}), preboot("holds"),
                              plugin("beta", {"alpha"})});
  CHECK(order(graph) == Strings{"holds", "setup", "alpha", "beta"});
}

TEST_CASE("a duplicate id names every file") {
  Manifest first = plugin("x");
  first.file = "a.json";
  Manifest second = plugin("x");
  second.file = "b.json";
  second.configPath = "x2";
  auto errors = errorsOf({first, second});
  CHECK(messages(errors) == Strings{"duplicate plugin id 'x' in a.json and b.json"});
  CHECK(errors[0].kind == GraphError::Kind::duplicateId);
  CHECK(errors[0].files == std::vector<std::filesystem::path>{"a.json", "b.json"});
  Manifest third = second;
  third.file = "c.json";
  CHECK(messages(errorsOf({first, second, third})) ==
        Strings{"duplicate plugin id 'x' in a.json, b.json and c.json"});
}

TEST_CASE("two plugins with the same configPath are refused, naming both") {
  Manifest a = plugin("a");
  Manifest b = plugin("b");
  a.configPath = b.configPath = "shared.section";
  auto errors = errorsOf({a, b});
  CHECK(messages(errors) ==
        Strings{"plugins 'a' (a.json) and 'b' (b.json) use the same configPath 'shared.section'; "
                "each plugin needs its own config section"});
  CHECK(errors[0].kind == GraphError::Kind::duplicateConfigPath);
}

TEST_CASE("a configPath inside another plugin's is refused") {
  Manifest a = plugin("a");
  Manifest b = plugin("b");
  a.configPath = "xpack";
  b.configPath = "xpack.b";
  auto errors = errorsOf({a, b});
  CHECK(messages(errors) ==
        Strings{"configPath 'xpack.b' of plugin 'b' (b.json) lies inside configPath 'xpack' of "
                "plugin 'a' (a.json); each plugin needs its own config section"});
  CHECK(errors[0].kind == GraphError::Kind::nestedConfigPath);
  // Only whole segments nest.
  b.configPath = "xpackb";
  CHECK(order(graphOf({a, b})) == Strings{"a", "b"});
}

TEST_CASE("a dependency cycle lists its members in order, with their files") {
  auto errors = errorsOf({plugin("c", {"a"}), plugin("a", {"b"}), plugin("b", {"c"})});
  CHECK(messages(errors) == Strings{"dependency cycle: a -> b -> c -> a (a.json, b.json, c.json)"});
  CHECK(errors[0].kind == GraphError::Kind::cycle);
  CHECK(errors[0].files == std::vector<std::filesystem::path>{"a.json", "b.json", "c.json"});
  SUBCASE("through a discovered optional dependency") {
    CHECK(messages(errorsOf({plugin("a", {"b"}), plugin("b", {}, {"a"})})) ==
          Strings{"dependency cycle: a -> b -> a (a.json, b.json)"});
  }
  SUBCASE("a plugin that requires itself") {
    CHECK(messages(errorsOf({plugin("a", {"a"})})) == Strings{"dependency cycle: a -> a (a.json)"});
  }
  SUBCASE("separate cycles are each reported") {
    CHECK(messages(errorsOf({plugin("a", {"b"}), plugin("b", {"a"}), plugin("x", {"y"}),
                             plugin("y", {"x"}), plugin("ok", {"a"})})) ==
          Strings{"dependency cycle: a -> b -> a (a.json, b.json)",
                  "dependency cycle: x -> y -> x (x.json, y.json)"});
  }
  SUBCASE("a tangle is reported once, naming everyone caught in it") {
    CHECK(messages(errorsOf({plugin("a", {"b"}), plugin("b", {"a", "c"}), plugin("c", {"b"})})) ==
          Strings{"dependency cycle: a -> b -> a (a.json, b.json); also caught in it: c (c.json)"});
  }
}

TEST_CASE("standard plugins may not depend on preboot plugins") {
  auto errors = errorsOf({plugin("app", {"setup"}), preboot("setup")});
  CHECK(messages(errors) ==
        Strings{"standard plugin 'app' (app.json) depends on preboot plugin 'setup' (setup.json); "
                "preboot plugins are stopped before standard plugins start"});
  CHECK(errors[0].kind == GraphError::Kind::standardOnPreboot);
  CHECK(messages(errorsOf({plugin("app", {}, {"setup"}), preboot("setup")}))[0].find(
            "'app' (app.json) optionally depends on preboot plugin 'setup'") != std::string::npos);
}

TEST_CASE("preboot plugins may depend only on preboot plugins") {
  auto errors = errorsOf({preboot("setup", {}, {"http"}), plugin("http")});
  CHECK(messages(errors) ==
        Strings{"preboot plugin 'setup' (setup.json) optionally depends on standard plugin 'http' "
                "(http.json); preboot plugins may depend only on preboot plugins"});
  CHECK(errors[0].kind == GraphError::Kind::prebootOnStandard);
}

TEST_CASE("all start-up errors are reported together") {
  Manifest dup = plugin("a");
  dup.file = "a2.json";
  dup.configPath = "a2";
  auto errors = errorsOf({plugin("a", {"b"}), dup, plugin("b", {"a"}), preboot("p", {"a"})});
  std::set<GraphError::Kind> kinds;
  for (const auto& e : errors) kinds.insert(e.kind);
  CHECK(kinds == std::set<GraphError::Kind>{GraphError::Kind::duplicateId, GraphError::Kind::cycle,
                                            GraphError::Kind::prebootOnStandard});
}

TEST_CASE("a plugin disabled in config") {
  const auto graph = graphOf({plugin("a"), plugin("b")}, {"a", "not_installed"});
  CHECK_FALSE(graph.isEnabled("a"));
  CHECK(graph.find("a")->state == PluginState::disabled);
  CHECK(reasonOf(graph, "a") == "a disabled: disabled in config (plugins.a.enabled: false)");
  CHECK(graph.isEnabled("b"));
  CHECK(reasonOf(graph, "b").empty());
  CHECK(order(graph) == Strings{"a", "b"});  // still listed, in order
}

TEST_CASE("a missing required dependency disables, naming the whole chain") {
  const auto graph = graphOf({plugin("b", {"a"}), plugin("a", {"z"}), plugin("c", {"b"}),
                              plugin("direct", {"http", "z"}), plugin("http")});
  CHECK(reasonOf(graph, "a") == "a disabled: requires missing z");
  CHECK(reasonOf(graph, "b") == "b disabled: requires a, which requires missing z");
  CHECK(reasonOf(graph, "c") == "c disabled: requires b, which requires a, which requires missing z");
  CHECK(reasonOf(graph, "direct") == "direct disabled: requires missing z");
  CHECK(graph.isEnabled("http"));
}

TEST_CASE("a required dependency disabled in config disables, naming the chain") {
  const auto graph =
      graphOf({plugin("b"), plugin("c", {"b"}), plugin("d", {"c"})}, {"b"});
  CHECK(reasonOf(graph, "c") ==
        "c disabled: requires b, which is disabled in config (plugins.b.enabled: false)");
  CHECK(reasonOf(graph, "d") ==
        "d disabled: requires c, which requires b, which is disabled in config "
        "(plugins.b.enabled: false)");
  CHECK_FALSE(graph.isEnabled("d"));
}

TEST_CASE("a missing or disabled optional dependency does not disable") {
  const auto graph = graphOf({plugin("a", {}, {"z", "b"}), plugin("b")}, {"b"});
  CHECK(graph.isEnabled("a"));
  CHECK(graph.optionalOf("a") == Strings{"b"});  // discovered ones only
  CHECK(order(graph) == Strings{"b", "a"});       // a discovered optional dependency goes first
}

TEST_CASE("dependency queries") {
  const auto graph = graphOf(
      {plugin("http"), plugin("storage", {"http"}), plugin("tasks", {"storage", "http"}, {"security", "z"}),
       plugin("security", {"http"})});
  CHECK(graph.requiredOf("tasks") == Strings{"storage", "http"});
  CHECK(graph.optionalOf("tasks") == Strings{"security"});
  CHECK(graph.dependentsOf("http") == Strings{"security", "storage", "tasks"});
  CHECK(graph.dependentsOf("security") == Strings{"tasks"});
  CHECK(graph.dependentsOf("tasks").empty());
  CHECK(graph.requiredOf("unknown").empty());
  CHECK(graph.dependentsOf("unknown").empty());
  CHECK_FALSE(graph.isEnabled("unknown"));
  CHECK(graph.find("unknown") == nullptr);
  CHECK(graph.find("tasks")->manifest.file == "tasks.json");
}

TEST_CASE("markFailed disables everything that requires the failed plugin") {
  auto graph = graphOf({plugin("a"), plugin("b", {"a"}), plugin("c", {"b"}), plugin("d", {}, {"a"}),
                        plugin("e"), plugin("f", {"a"})},
                       {"f"});
  const Disabled disabled = graph.markFailed("a", "setup threw: boom");
  CHECK(disabled == Disabled{{"b", "b disabled: requires a, which failed: setup threw: boom"},
                             {"c", "c disabled: requires b, which requires a, which failed: setup "
                                   "threw: boom"}});
  CHECK(graph.find("a")->state == PluginState::failed);
  CHECK(reasonOf(graph, "a") == "a failed: setup threw: boom");
  CHECK(graph.find("b")->state == PluginState::disabled);
  CHECK(reasonOf(graph, "c") == "c disabled: requires b, which requires a, which failed: setup threw: boom");
  CHECK(graph.isEnabled("d"));  // optional
  CHECK(graph.isEnabled("e"));
  CHECK(reasonOf(graph, "f") == "f disabled: disabled in config (plugins.f.enabled: false)");
  SUBCASE("a second failure report changes nothing") {
    CHECK(graph.markFailed("a", "again").empty());
    CHECK(reasonOf(graph, "a") == "a failed: setup threw: boom");
  }
  SUBCASE("disabled and unknown plugins cannot fail") {
    CHECK(graph.markFailed("b", "late").empty());
    CHECK(graph.find("b")->state == PluginState::disabled);
    CHECK(graph.markFailed("nope", "x").empty());
  }
}

TEST_CASE("markFailed returns dependents in start order, through every path") {
  auto graph = graphOf({plugin("d", {"b", "c"}), plugin("c", {"a"}), plugin("b", {"a"}), plugin("a"),
                        plugin("e", {"d"})});
  const Disabled disabled = graph.markFailed("a", "start overran its 5s deadline");
  CHECK(disabled ==
        Disabled{{"b", "b disabled: requires a, which failed: start overran its 5s deadline"},
                 {"c", "c disabled: requires a, which failed: start overran its 5s deadline"},
                 {"d", "d disabled: requires b, which requires a, which failed: start overran its 5s "
                       "deadline"},
                 {"e", "e disabled: requires d, which requires b, which requires a, which failed: "
                       "start overran its 5s deadline"}});
  for (const auto& entry : graph.entries()) CHECK_FALSE(entry.enabled());
}

TEST_CASE("markFailed on a plugin nobody requires disables nothing else") {
  auto graph = graphOf({plugin("a"), plugin("b", {}, {"a"})});
  CHECK(graph.markFailed("a", "stop threw").empty());
  CHECK(graph.isEnabled("b"));
  CHECK_FALSE(graph.isEnabled("a"));
}
