// SDK version and ABI identity.
//
// A plugin records both at compile time (through ORRERY_PLUGIN). The host refuses a
// library whose ABI tag differs from its own, and one built against an SDK whose major
// version differs or whose minor version is newer than the host's. Minor SDK versions
// only append to host-implemented interfaces, so an older plugin keeps working.
#pragma once

#define ORRERY_SDK_VERSION_MAJOR 1
#define ORRERY_SDK_VERSION_MINOR 5
#define ORRERY_SDK_VERSION_PATCH 0

#define ORRERY_DETAIL_STR2(x) #x
#define ORRERY_DETAIL_STR(x) ORRERY_DETAIL_STR2(x)

#define ORRERY_SDK_VERSION_STRING                                                         \
  ORRERY_DETAIL_STR(ORRERY_SDK_VERSION_MAJOR)                                            \
  "." ORRERY_DETAIL_STR(ORRERY_SDK_VERSION_MINOR) "." ORRERY_DETAIL_STR(ORRERY_SDK_VERSION_PATCH)

// What must match exactly between host and plugin for C++ types (std::string,
// std::function, vtables) to cross the library boundary: the ABI generation of the SDK
// and the C++ standard library flavour.
#if defined(_LIBCPP_VERSION)
#define ORRERY_DETAIL_STDLIB "libc++"
#elif defined(__GLIBCXX__) && defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define ORRERY_DETAIL_STDLIB "libstdc++-cxx11"
#elif defined(__GLIBCXX__)
#define ORRERY_DETAIL_STDLIB "libstdc++-old"
#else
#define ORRERY_DETAIL_STDLIB "unknown"
#endif

#if defined(_GLIBCXX_DEBUG)
#define ORRERY_DETAIL_DEBUG_STL ";debug-stl"
#else
#define ORRERY_DETAIL_DEBUG_STL ""
#endif

#define ORRERY_ABI_TAG "orrery-abi-1;" ORRERY_DETAIL_STDLIB ORRERY_DETAIL_DEBUG_STL

namespace orrery {
inline constexpr const char* kSdkVersion = ORRERY_SDK_VERSION_STRING;
inline constexpr const char* kAbiTag = ORRERY_ABI_TAG;
}  // namespace orrery
