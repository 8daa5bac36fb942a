// Loads a plugin's shared library with Boost.DLL and checks it before running any of its
// factories: the export table must exist, the ABI tag must equal the host's, and the SDK
// it was built against must be one this host provides.
//
// A library is opened with RTLD_NODELETE, so its code stays mapped for the life of the
// process: code a plugin hands into another plugin's contract (task runner factories,
// search strategies, callbacks) is out of the host's sight, and unloading code that is
// still referenced is the classic Boost.DLL crash (deleters, vtables, exceptions,
// type_info). What the host does see — the plugin object, its contracts, its tasks and
// handlers — still holds a reference to the library (see keepLibrary), which orders
// their destruction before the library's handle is closed.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "core/plugins/manifest.hpp"
#include "orrery/export.hpp"
#include "orrery/plugin.hpp"

namespace orrery::plugins {

struct LoadedLibrary {
  std::shared_ptr<void> library;  // owns the boost::dll::shared_library
  const orrery::detail::PluginExports* exports = nullptr;
};

struct LoadError {
  std::string message;
};

struct HostIdentity {
  std::string abiTag = orrery::kAbiTag;
  std::string sdkVersion = orrery::kSdkVersion;
};

std::variant<LoadedLibrary, LoadError> loadLibrary(const Manifest& manifest, const HostIdentity& host = {});

// An aliasing pointer to `object` that also keeps `library` loaded. The object is
// released before the library.
std::shared_ptr<void> keepLibrary(std::shared_ptr<void> object, std::shared_ptr<void> library);

template <class T>
std::shared_ptr<T> keepLibrary(std::shared_ptr<T> object, std::shared_ptr<void> library) {
  T* raw = object.get();
  return std::shared_ptr<T>(keepLibrary(std::shared_ptr<void>(std::move(object)), std::move(library)), raw);
}

// Calls the library's factory. Returns null if the library exports the other kind.
std::shared_ptr<orrery::Plugin> createStandard(const LoadedLibrary& loaded);
std::shared_ptr<orrery::PrebootPlugin> createPreboot(const LoadedLibrary& loaded);

}  // namespace orrery::plugins
