// The loader: which libraries it accepts and how it refuses the others, and the rule
// that a library stays loaded while any object it created is alive.
#include <doctest/doctest.h>

#include <dlfcn.h>

#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

#include "../../fixtures/contracts/greeter_contract.hpp"
#include "core/config/plugin_config.hpp"
#include "core/plugins/loader.hpp"
#include "core/plugins/plugin_runtime.hpp"
#include "runtime_support.hpp"

using namespace orrery::plugins;
using namespace orrery::plugins::test;

namespace {

// Whether the dynamic linker has `library` mapped, without loading it.
bool isMapped(const fs::path& library) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOLOAD | RTLD_LAZY);
  if (handle == nullptr) return false;
  ::dlclose(handle);
  return true;
}

LoadedLibrary loaded(const Manifest& manifest, const HostIdentity& host = {}) {
  auto result = loadLibrary(manifest, host);
  if (auto* error = std::get_if<LoadError>(&result)) FAIL("refused: " << error->message);
  return std::get<LoadedLibrary>(std::move(result));
}

std::string refusal(const Manifest& manifest, const HostIdentity& host = {}) {
  auto result = loadLibrary(manifest, host);
  REQUIRE_MESSAGE(std::holds_alternative<LoadError>(result), manifest.id << " was loaded");
  return std::get<LoadError>(result).message;
}

}  // namespace

TEST_CASE("a fixture plugin loads, and its factory makes its kind only") {
  TempDir dir;
  const auto manifest = writeManifest(dir.path(), {"greeter", fixtureLibrary("greeter")});
  CHECK(manifest.libraryPath == fs::path(fixtureLibrary("greeter")).lexically_normal());
  auto library = loaded(manifest);
  REQUIRE(library.library != nullptr);
  REQUIRE(library.exports != nullptr);
  CHECK(std::string(library.exports->abiTag) == orrery::kAbiTag);
  CHECK(std::string(library.exports->sdkVersion) == orrery::kSdkVersion);
  CHECK(library.exports->kind == orrery::detail::kStandardPlugin);
  const bool declaresConfig = library.exports->describeConfig != nullptr;
  CHECK(declaresConfig);  // greeter declares config

  auto plugin = createStandard(library);
  CHECK(plugin != nullptr);
  CHECK(createPreboot(library) == nullptr);
}

TEST_CASE("a preboot fixture loads as preboot") {
  TempDir dir;
  const auto manifest =
      writeManifest(dir.path(), {"preboot_holder", fixtureLibrary("preboot_holder"), {}, "preboot"});
  auto library = loaded(manifest);
  CHECK(library.exports->kind == orrery::detail::kPrebootPlugin);
  CHECK(createPreboot(library) != nullptr);
  CHECK(createStandard(library) == nullptr);
}

TEST_CASE("refused: an ABI tag other than the host's, naming both tags") {
  TempDir dir;
  const auto manifest = writeManifest(dir.path(), {"abi_mismatch", fixtureLibrary("abi_mismatch")});
  const auto message = refusal(manifest);
  CHECK(contains(message, "ABI"));
  CHECK(contains(message, "orrery-abi-0;other-stdlib"));
  CHECK(contains(message, orrery::kAbiTag));
  CHECK(contains(message, "abi_mismatch"));

  // The same check against a host with another tag, for a library that is fine here.
  const auto greeter = writeManifest(dir.path(), {"greeter", fixtureLibrary("greeter")});
  const auto other = refusal(greeter, HostIdentity{"orrery-abi-9;elsewhere", orrery::kSdkVersion});
  CHECK(contains(other, "orrery-abi-9;elsewhere"));
  CHECK(contains(other, orrery::kAbiTag));
}

TEST_CASE("refused: a manifest's SDK range the host does not satisfy, naming both versions") {
  TempDir dir;
  const auto manifest = writeManifest(dir.path(), {"greeter", fixtureLibrary("greeter"), {}, "standard", "^2.0.0"});
  const auto message = refusal(manifest);
  CHECK(contains(message, "^2.0.0"));
  CHECK(contains(message, orrery::kSdkVersion));
  CHECK(contains(message, "greeter"));
  CHECK(contains(message, "sdkVersion"));
}

TEST_CASE("refused: a library built against a newer SDK than the host's") {
  TempDir dir;
  // A host at 0.9.0 that accepts the manifest's range but is older than the library.
  const auto manifest = writeManifest(dir.path(), {"greeter", fixtureLibrary("greeter"), {}, "standard", "*"});
  const auto message = refusal(manifest, HostIdentity{orrery::kAbiTag, "0.9.0"});
  CHECK(contains(message, orrery::kSdkVersion));
  CHECK(contains(message, "0.9.0"));
}

TEST_CASE("refused: a library path that does not exist, naming it") {
  TempDir dir;
  const auto missing = dir.path() / "nowhere" / "missing.so";
  const auto manifest = writeManifest(dir.path(), {"missing", missing});
  const auto message = refusal(manifest);
  CHECK(contains(message, "not found"));
  CHECK(contains(message, missing.string()));
  CHECK(contains(message, "missing"));
}

TEST_CASE("refused: a shared library that is no plugin") {
  const fs::path libm = "/lib/x86_64-linux-gnu/libm.so.6";
  if (!fs::exists(libm)) {
    MESSAGE("skipped: " << libm << " does not exist here");
    return;
  }
  TempDir dir;
  const auto manifest = writeManifest(dir.path(), {"libm", libm});
  CHECK(manifest.library.front() != '/');  // written relative to the manifest
  const auto message = refusal(manifest);
  CHECK(contains(message, "no 'orrery_plugin_v1' export"));
  CHECK(contains(message, "libm"));
}

TEST_CASE("refused: a file that is not a shared library at all") {
  TempDir dir;
  const auto junk = dir.path() / "junk.so";
  std::ofstream(junk) << "not an ELF file";
  const auto message = refusal(writeManifest(dir.path(), {"junk", junk}));
  CHECK(contains(message, "cannot load"));
  CHECK(contains(message, junk.string()));
}

TEST_CASE("refused: the manifest's type does not match the library's kind") {
  TempDir dir;
  SUBCASE("preboot manifest, standard library") {
    const auto message = refusal(writeManifest(dir.path(), {"greeter", fixtureLibrary("greeter"), {}, "preboot"}));
    CHECK(contains(message, "manifest declares a preboot plugin but the library exports a standard one"));
  }
  SUBCASE("standard manifest, preboot library") {
    const auto message = refusal(writeManifest(dir.path(), {"preboot_holder", fixtureLibrary("preboot_holder")}));
    CHECK(contains(message, "manifest declares a standard plugin but the library exports a preboot one"));
  }
}

TEST_CASE("keepLibrary: the object is destroyed before the library is released") {
  std::vector<std::string> events;
  auto object = std::shared_ptr<int>(new int(1), [&events](int* p) {
    events.push_back("object");
    delete p;
  });
  auto library = std::shared_ptr<void>(new int(2), [&events](void* p) {
    events.push_back("library");
    delete static_cast<int*>(p);
  });
  int* raw = object.get();

  SUBCASE("untyped") {
    auto kept = keepLibrary(std::shared_ptr<void>(std::move(object)), std::move(library));
    CHECK(kept.get() == raw);
    auto copy = kept;
    kept.reset();
    CHECK(events.empty());
    copy.reset();
  }
  SUBCASE("typed") {
    auto kept = keepLibrary(std::move(object), std::move(library));
    static_assert(std::is_same_v<decltype(kept), std::shared_ptr<int>>);
    CHECK(kept.get() == raw);
    CHECK(*kept == 1);
    kept.reset();
  }
  CHECK(events == std::vector<std::string>{"object", "library"});
}

TEST_CASE("keepLibrary without a library returns the object as is") {
  auto object = std::make_shared<int>(3);
  auto kept = keepLibrary(std::shared_ptr<void>(object), nullptr);
  CHECK(kept == std::shared_ptr<void>(object));
  CHECK(object.use_count() == 2);  // `object` and `kept`: no library wrapper in between
}

// noop.so is a library the dynamic linker could unload (it has no STB_GNU_UNIQUE symbol,
// which GCC emits for some libstdc++ inline statics and which pins a library for good):
// only RTLD_NODELETE keeps it mapped once nothing the host counts refers to it, as code it
// handed into another plugin's contract may still run (see loader.cpp).
TEST_CASE("a library stays mapped while an object it created is alive, and for the life of the process after") {
  TestHost host;
  const auto manifest = writeManifest(host.dir.path(), {"noop", fixtureLibrary("noop")});
  const fs::path path = manifest.libraryPath;
  REQUIRE_MESSAGE(!isMapped(path), path << " is mapped before the test loaded it");

  std::shared_ptr<orrery::Plugin> plugin;
  {
    auto library = loaded(manifest);
    CHECK(isMapped(path));
    plugin = createStandard(library);
    REQUIRE(plugin != nullptr);
  }  // the LoadedLibrary is gone; only the plugin object holds the library now
  CHECK(isMapped(path));

  {
    // Virtual calls into the library's code: setup keeps the context's logger, stop uses it.
    orrery::ConfigSchema schema;
    PluginRuntime runtime(host.services, manifest, nullptr,
                          std::make_unique<orrery::config::JsonPluginConfig>(schema, nlohmann::json::object()),
                          [](const std::string&, Stage) { return orrery::AnyContract(); });
    plugin->setup(*runtime.setupContext());
    plugin->stop();
    CHECK(host.logged("plugins.noop", "stopping"));
    CHECK(isMapped(path));
  }

  plugin.reset();  // its destructor, also library code, runs; the handle is closed
  CHECK(isMapped(path));  // RTLD_NODELETE
}
