#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include "config_edit.hpp"

using namespace orrery::interactive_setup;

namespace {
Connection embedded() {
  Connection c;
  c.embedded = EmbeddedConnection{"data/indices"};
  return c;
}
Connection remote() {
  Connection c;
  c.remote = RemoteConnection{"https://es.example:9200", "elastic", "p\"w:\\d #x", "", "/etc/ca.pem"};
  return c;
}
}  // namespace

TEST_CASE("the data section for an embedded connection reads back as YAML") {
  const auto yaml = dataSectionYaml(embedded(), "/srv/orrery/indices");
  const auto node = YAML::Load(yaml);
  CHECK(node["data"]["search"]["defaultStrategy"].as<std::string>() == "local");
  CHECK(node["data"]["local"]["path"].as<std::string>() == "/srv/orrery/indices");
  CHECK_FALSE(hasSecrets(embedded()));
}

TEST_CASE("the data section for a remote cluster keeps every character of its secrets") {
  const auto node = YAML::Load(dataSectionYaml(remote(), {}));
  const auto es = node["data"]["elasticsearch"];
  CHECK(node["data"]["search"]["defaultStrategy"].as<std::string>() == "elasticsearch");
  CHECK(es["hosts"][0].as<std::string>() == "https://es.example:9200");
  CHECK(es["username"].as<std::string>() == "elastic");
  CHECK(es["password"].as<std::string>() == "p\"w:\\d #x");
  CHECK(es["ssl"]["certificateAuthority"].as<std::string>() == "/etc/ca.pem");
  CHECK(hasSecrets(remote()));
}

TEST_CASE("a missing section is appended; everything else stays byte for byte") {
  const std::string original = "# my config\nserver:\n  port: 5601 # mine\n\nlogging:\n  level: debug\n";
  const auto edited = replaceTopLevelSection(original, "data", "data:\n  x: 1\n", "2026-11-23T00:00:00Z");
  CHECK(edited.starts_with(original));
  CHECK(edited.find("# Written by interactive setup on 2026-11-23T00:00:00Z:\ndata:\n  x: 1\n") != std::string::npos);
  CHECK(YAML::Load(edited)["data"]["x"].as<int>() == 1);
}

TEST_CASE("a file without a final newline gets one before the new section") {
  const auto edited = replaceTopLevelSection("server:\n  port: 1", "data", "data:\n  x: 1\n", "T");
  const auto node = YAML::Load(edited);
  CHECK(node["server"]["port"].as<int>() == 1);
  CHECK(node["data"]["x"].as<int>() == 1);
}

TEST_CASE("an existing section becomes a commented backup block in place; the sections around it stay") {
  const std::string original =
      "server:\n  port: 1\ndata:\n  local:\n    path: old   # note\n\n  # inner comment\n  search: {}\n"
      "\n# About logging\nlogging:\n  level: info\n";
  const auto edited = replaceTopLevelSection(original, "data", "data:\n  x: 2\n", "2026-11-23T01:02:03Z");
  CHECK(edited.find("# Interactive setup replaced the block below on 2026-11-23T01:02:03Z:\n"
                    "# data:\n#   local:\n#     path: old   # note\n# \n#   # inner comment\n#   search: {}\n") !=
        std::string::npos);
  // The comment that introduces the next section is not swallowed by the backup.
  CHECK(edited.find("\n# About logging\nlogging:\n  level: info\n") != std::string::npos);
  const auto node = YAML::Load(edited);
  CHECK(node["data"]["x"].as<int>() == 2);
  CHECK_FALSE(node["data"]["local"]);
  CHECK(node["server"]["port"].as<int>() == 1);
  CHECK(node["logging"]["level"].as<std::string>() == "info");
}

TEST_CASE("only a top-level key named exactly like the section is replaced") {
  const std::string original = "database:\n  a: 1\nplugins:\n  data:\n    enabled: true\n";
  const auto edited = replaceTopLevelSection(original, "data", "data:\n  x: 3\n", "T");
  CHECK(edited.starts_with(original));
  const auto node = YAML::Load(edited);
  CHECK(node["database"]["a"].as<int>() == 1);
  CHECK(node["plugins"]["data"]["enabled"].as<bool>());
}

TEST_CASE("an empty file gets just the section") {
  const auto edited = replaceTopLevelSection("", "data", "data:\n  x: 1\n", "T");
  CHECK(edited == "# Written by interactive setup on T:\ndata:\n  x: 1\n");
}
