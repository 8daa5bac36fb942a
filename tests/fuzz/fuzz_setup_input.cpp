// libFuzzer target for what the interactive setup plugin reads from outside: the setup
// page's JSON bodies (anyone who can reach the preboot port may send them) and the
// operator's config file, which setup edits as text. Bodies must parse or fail with a
// SetupError naming a field — never a crash or another exception; an edit must keep every
// line outside the replaced block and carry the new section.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config_edit.hpp"
#include "setup_request.hpp"

using namespace orrery::interactive_setup;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto body = parseBody(text);
    try {
      parseCode(body);
    } catch (const SetupError&) {
    }
    if (const auto it = body.find("connection"); it != body.end()) {
      try {
        const auto connection = parseConnection(*it);
        if (connection.embedded.has_value() == connection.remote.has_value()) std::abort();
        const auto yaml = dataSectionYaml(connection, "/data");
        if (!yaml.starts_with("data:\n")) std::abort();
      } catch (const SetupError&) {
      }
    }
    if (const auto it = body.find("admin"); it != body.end()) {
      try {
        parseAdmin(*it);
      } catch (const SetupError&) {
      }
    }
  } catch (const SetupError& e) {
    if (e.status() != 400) std::abort();
  }

  const std::string replacement = "data:\n  search:\n    defaultStrategy: local\n";
  const auto edited = replaceTopLevelSection(text, "data", replacement, "T");
  if (edited.find(replacement) == std::string::npos) std::abort();
  if (edited.size() < text.size()) std::abort();  // lines are commented out, never dropped
  return 0;
}
