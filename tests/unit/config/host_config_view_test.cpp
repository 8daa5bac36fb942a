#include <doctest/doctest.h>

#include "core/config/host_config_view.hpp"

using orrery::config::HostConfigView;
using Json = nlohmann::json;

TEST_CASE("dotted keys: set, empty and absent") {
  const HostConfigView view(Json{{"data", {{"local", {{"path", "/x"}}}, {"hosts", Json::array()}, {"empty", ""}}},
                                 {"server", {{"port", 5601}, {"tls", false}}},
                                 {"none", nullptr}},
                            "/etc/orrery.yml");
  CHECK(view.isSet("data.local.path"));
  CHECK(view.isSet("data.local"));
  CHECK(view.isSet("server.port"));
  CHECK(view.isSet("server.tls"));  // false is a value
  CHECK_FALSE(view.isSet("data.hosts"));
  CHECK_FALSE(view.isSet("data.empty"));
  CHECK_FALSE(view.isSet("none"));
  CHECK_FALSE(view.isSet("data.local.path.deeper"));
  CHECK_FALSE(view.isSet("missing.key"));

  CHECK(view.text("data.local.path") == "/x");
  CHECK(view.text("server.port") == "5601");
  CHECK(view.text("server.tls") == "false");
  CHECK_FALSE(view.text("data.local").has_value());
  CHECK_FALSE(view.text("missing").has_value());
}

TEST_CASE("the file is absolute") {
  const HostConfigView view(Json::object(), "config/orrery.yml");
  CHECK(view.file().is_absolute());
  CHECK(view.file() == std::filesystem::current_path() / "config" / "orrery.yml");
}
