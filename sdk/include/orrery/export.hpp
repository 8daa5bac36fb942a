// ORRERY_PLUGIN(Class): makes a shared library an Orrery plugin.
//
// Put it once in one source file of the plugin, after the class definition:
//
//   class Greeter final : public orrery::Plugin { ... };
//   ORRERY_PLUGIN(Greeter)
//
// It exports, under the Boost.DLL alias `orrery_plugin_v1`, a plain-C table with the ABI
// tag and SDK version the plugin was compiled with and factories for the class. The host
// reads the tag and version before it calls any factory. If the class has
// `static void describeConfig(orrery::ConfigSchema&)`, the table points to it so the
// host can validate the plugin's config before anything runs.
#pragma once

#include <boost/dll/alias.hpp>
#include <type_traits>

#include "orrery/config.hpp"
#include "orrery/version.hpp"

namespace orrery {
class Plugin;
class PrebootPlugin;

namespace detail {

enum PluginKind : int { kStandardPlugin = 1, kPrebootPlugin = 2 };

// Layout frozen for the life of the `orrery_plugin_v1` symbol: append nothing, change
// nothing. A new layout gets a new symbol name.
struct PluginExports {
  const char* abiTag;
  const char* sdkVersion;
  int kind;
  Plugin* (*createStandard)();
  PrebootPlugin* (*createPreboot)();
  void (*describeConfig)(ConfigSchema&);
};

template <class T>
concept DescribesConfig = requires(ConfigSchema& schema) { T::describeConfig(schema); };

template <class T>
void describeConfigOf(ConfigSchema& schema) {
  T::describeConfig(schema);
}

template <class T>
Plugin* createStandard() {
  if constexpr (std::is_base_of_v<Plugin, T>) {
    return new T();
  } else {
    return nullptr;
  }
}

template <class T>
PrebootPlugin* createPreboot() {
  if constexpr (std::is_base_of_v<PrebootPlugin, T>) {
    return new T();
  } else {
    return nullptr;
  }
}

template <class T>
constexpr PluginExports makeExports(const char* abiTag, const char* sdkVersion) {
  static_assert(std::is_base_of_v<Plugin, T> != std::is_base_of_v<PrebootPlugin, T>,
                "ORRERY_PLUGIN: the class must derive from exactly one of orrery::Plugin "
                "and orrery::PrebootPlugin");
  static_assert(std::is_default_constructible_v<T>,
                "ORRERY_PLUGIN: the class needs a default constructor");
  void (*describe)(ConfigSchema&) = nullptr;
  if constexpr (DescribesConfig<T>) describe = &describeConfigOf<T>;
  return PluginExports{abiTag,
                       sdkVersion,
                       std::is_base_of_v<PrebootPlugin, T> ? kPrebootPlugin : kStandardPlugin,
                       &createStandard<T>,
                       &createPreboot<T>,
                       describe};
}

}  // namespace detail
}  // namespace orrery

// Separate from ORRERY_PLUGIN so that test fixtures can build a mismatched library.
#define ORRERY_DETAIL_PLUGIN_EXPORTS(Class, abiTag, sdkVersion)                                  \
  namespace orrery_plugin_detail {                                                             \
  const ::orrery::detail::PluginExports exports =                                              \
      ::orrery::detail::makeExports<Class>(abiTag, sdkVersion);                                \
  }                                                                                            \
  BOOST_DLL_ALIAS(orrery_plugin_detail::exports, orrery_plugin_v1)

#define ORRERY_PLUGIN(Class) ORRERY_DETAIL_PLUGIN_EXPORTS(Class, ORRERY_ABI_TAG, ORRERY_SDK_VERSION_STRING)
