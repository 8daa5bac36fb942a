#include "core/plugins/registrant_scope.hpp"

namespace orrery::plugins {

namespace {
thread_local const std::string* innermost = nullptr;
}  // namespace

RegistrantScope::RegistrantScope(const std::string& plugin) : previous_(innermost) { innermost = &plugin; }

RegistrantScope::~RegistrantScope() { innermost = previous_; }

const std::string* RegistrantScope::current() { return innermost; }

}  // namespace orrery::plugins
