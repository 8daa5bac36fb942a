#include "core/plugins/loader.hpp"

#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <optional>
#include <system_error>

#include "core/plugins/semver.hpp"

namespace orrery::plugins {

namespace {

constexpr const char* kExportSymbol = "orrery_plugin_v1";

struct Held {
  std::shared_ptr<void> library;  // declared first: destroyed last
  std::shared_ptr<void> object;
};

std::optional<Version> versionOf(std::string_view text) {
  auto parsed = Version::parse(text);
  if (auto* version = std::get_if<Version>(&parsed)) return *version;
  return std::nullopt;
}

// Same major, and no newer minor than the host: minor versions only append to the
// host-implemented interfaces, so older plugins keep working.
std::string checkBuiltSdk(const char* built, const Version& host) {
  const auto builtVersion = versionOf(built == nullptr ? "" : built);
  if (!builtVersion) {
    return "library reports an unreadable SDK version '" + std::string(built == nullptr ? "" : built) + "'";
  }
  if (builtVersion->major != host.major || builtVersion->minor > host.minor) {
    return "library was built against SDK " + builtVersion->toString() + ", but this host provides SDK " +
           host.toString();
  }
  return {};
}

}  // namespace

std::shared_ptr<void> keepLibrary(std::shared_ptr<void> object, std::shared_ptr<void> library) {
  if (!library) return object;
  void* raw = object.get();
  auto held = std::make_shared<Held>(Held{std::move(library), std::move(object)});
  return std::shared_ptr<void>(std::move(held), raw);
}

std::variant<LoadedLibrary, LoadError> loadLibrary(const Manifest& manifest, const HostIdentity& host) {
  const std::string where = manifest.libraryPath.string() + " (plugin '" + manifest.id + "', manifest " +
                            manifest.file.string() + ")";
  const auto hostVersion = versionOf(host.sdkVersion);
  if (!hostVersion) {
    return LoadError{"host SDK version '" + host.sdkVersion + "' is not a version"};
  }
  if (!manifest.sdkRange.contains(*hostVersion)) {
    return LoadError{"plugin '" + manifest.id + "' requires SDK " + manifest.sdkVersion +
                     " (manifest field 'sdkVersion'), but this host provides SDK " + host.sdkVersion};
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(manifest.libraryPath, ec)) {
    return LoadError{"library not found: " + where};
  }

  auto library = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code loadError;
  // Local scope keeps plugins' symbols apart; "now" surfaces unresolved symbols here,
  // not at the first call into the plugin.
  //
  // RTLD_NODELETE: the library's code stays mapped for the life of the process, whatever
  // references the host still counts. Plugins hand code into other plugins' contracts —
  // a task runner factory kept by task_manager, a search strategy kept by data, a
  // callback, a std::function, a vtable, a type_info, a string literal behind a
  // string_view — and the host cannot see those objects to count them; the library that
  // made them is released first (dependents stop and are released before what they
  // depend on), so unloading it then leaves the other plugin holding pointers into
  // unmapped code, which crashes at its next call or destructor. A library reference
  // captured with each such object would need every contract to carry one; NODELETE
  // covers them all, including contracts written later, for the cost of a few mapped
  // pages the host would keep anyway (it loads each library once). Boost.DLL passes
  // native dlopen flags through.
  constexpr auto noDelete = static_cast<boost::dll::load_mode::type>(RTLD_NODELETE);
  library->load(manifest.libraryPath,
                boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now | noDelete, loadError);
  if (loadError) {
    return LoadError{"cannot load " + where + ": " + loadError.message()};
  }
  if (!library->has(kExportSymbol)) {
    return LoadError{"no '" + std::string(kExportSymbol) + "' export in " + where +
                     "; was it built with ORRERY_PLUGIN(Class)?"};
  }
  const auto& exports = library->get_alias<const orrery::detail::PluginExports>(kExportSymbol);
  if (exports.abiTag == nullptr || std::strcmp(exports.abiTag, host.abiTag.c_str()) != 0) {
    return LoadError{"ABI mismatch in " + where + ": library has ABI tag '" +
                     std::string(exports.abiTag == nullptr ? "" : exports.abiTag) + "', host has '" +
                     host.abiTag + "'"};
  }
  if (auto sdkProblem = checkBuiltSdk(exports.sdkVersion, *hostVersion); !sdkProblem.empty()) {
    return LoadError{sdkProblem + ": " + where};
  }
  const bool wantPreboot = manifest.type == PluginType::preboot;
  const int expectedKind = wantPreboot ? orrery::detail::kPrebootPlugin : orrery::detail::kStandardPlugin;
  if (exports.kind != expectedKind) {
    return LoadError{"manifest declares a " + std::string(wantPreboot ? "preboot" : "standard") +
                     " plugin but the library exports a " +
                     (exports.kind == orrery::detail::kPrebootPlugin ? "preboot" : "standard") + " one: " + where};
  }
  return LoadedLibrary{std::shared_ptr<void>(library), &exports};
}

namespace {
// Deleting through the plugin's virtual destructor runs plugin code; the deleter owns a
// library reference that is released only after that.
template <class T>
struct LibraryDeleter {
  std::shared_ptr<void> library;
  void operator()(T* object) const { delete object; }
};
}  // namespace

std::shared_ptr<orrery::Plugin> createStandard(const LoadedLibrary& loaded) {
  orrery::Plugin* raw = loaded.exports->createStandard();
  if (raw == nullptr) return nullptr;
  return std::shared_ptr<orrery::Plugin>(raw, LibraryDeleter<orrery::Plugin>{loaded.library});
}

std::shared_ptr<orrery::PrebootPlugin> createPreboot(const LoadedLibrary& loaded) {
  orrery::PrebootPlugin* raw = loaded.exports->createPreboot();
  if (raw == nullptr) return nullptr;
  return std::shared_ptr<orrery::PrebootPlugin>(raw, LibraryDeleter<orrery::PrebootPlugin>{loaded.library});
}

}  // namespace orrery::plugins
