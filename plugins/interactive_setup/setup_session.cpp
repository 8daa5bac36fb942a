#include "setup_session.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <ctime>
#include <set>
#include <system_error>

#include "atomic_file.hpp"
#include "config_edit.hpp"
#include "password_hash.hpp"
#include "users_file.hpp"

namespace orrery::interactive_setup {

namespace {

std::string attemptsText(int left) {
  return std::to_string(left) + (left == 1 ? " attempt" : " attempts") + " left";
}

std::set<std::string> topLevelKeys(const YAML::Node& node) {
  std::set<std::string> keys;
  if (!node.IsMap()) return keys;
  for (const auto& item : node) keys.insert(item.first.as<std::string>());
  return keys;
}

// The edited text must read back as YAML with the same top-level keys as before (plus
// `data`) and the strategy just written; otherwise the line-based edit met a form it does
// not understand (flow style, anchors across sections...) and nothing is written.
void verifyEdit(const std::string& original, const std::string& edited, const std::string& strategy,
                const std::filesystem::path& file) {
  const auto cannotEdit = [&file](const std::string& why) {
    return SetupError(409, "", "Setup cannot edit " + file.string() + " safely (" + why +
                                   "); nothing was saved. Add the data section to it yourself, or move it aside.");
  };
  YAML::Node before;
  YAML::Node after;
  try {
    before = YAML::Load(original);
  } catch (const YAML::Exception& e) {
    throw cannotEdit(std::string("it is not valid YAML: ") + e.what());
  }
  try {
    after = YAML::Load(edited);
  } catch (const YAML::Exception& e) {
    throw cannotEdit(std::string("the edited file would not be valid YAML: ") + e.what());
  }
  if (!before.IsNull() && !before.IsMap()) throw cannotEdit("its top level is not a map");
  auto expected = topLevelKeys(before);
  expected.insert("data");
  if (topLevelKeys(after) != expected) throw cannotEdit("the edit would change other sections");
  const auto written = after["data"]["search"]["defaultStrategy"];
  if (!written || !written.IsScalar() || written.as<std::string>() != strategy) {
    throw cannotEdit("the new data section does not read back");
  }
}

mode_t modeFor(const std::filesystem::path& file, bool secrets) {
  if (secrets) return 0600;
  struct stat info {};
  if (::stat(file.c_str(), &info) == 0) return info.st_mode & 07777;
  return 0644;
}

}  // namespace

std::string utcTimestamp(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

SetupSession::SetupSession(SessionPaths paths, std::string code, std::chrono::milliseconds connectionTimeout,
                           std::function<void()> onSaved)
    : paths_(std::move(paths)),
      code_(std::move(code)),
      connectionTimeout_(connectionTimeout),
      onSaved_(std::move(onSaved)) {}

void SetupSession::requireCode(std::string_view candidate) {
  const auto result = code_.check(candidate);
  switch (result.outcome) {
    case CodeCheck::Outcome::accepted:
      return;
    case CodeCheck::Outcome::wrong:
      throw SetupError(403, "code", "Wrong verification code: " + attemptsText(result.attemptsLeft) + ".");
    case CodeCheck::Outcome::locked:
      throw SetupError(403, "code",
                       "Setup is locked after " + std::to_string(kMaxCodeAttempts) +
                           " wrong verification codes: 0 attempts left. Restart Orrery to get a new code.");
  }
}

std::filesystem::path SetupSession::resolveFolder(const std::string& typed) const {
  std::filesystem::path folder(typed);
  if (folder.is_relative()) folder = paths_.workingFolder / folder;
  return folder.lexically_normal();
}

CheckResult SetupSession::check(const Connection& connection) const {
  if (connection.embedded) return checkEmbeddedFolder(resolveFolder(connection.embedded->path));
  return checkRemoteCluster(*connection.remote, connectionTimeout_);
}

SaveResult SetupSession::save(const Connection& connection, const AdminUser& admin) {
  std::lock_guard lock(saving_);
  if (saved_) throw SetupError(400, "", "Cannot process request outside of preboot stage.");

  const auto checked = check(connection);
  if (!checked.ok) throw SetupError(400, checked.field, checked.message + " Nothing was saved.");

  // The admin must be new: setup never replaces someone's password.
  std::vector<security::UserRecord> users;
  try {
    users = security::loadUsersFile(paths_.usersFile).value_or(std::vector<security::UserRecord>{});
  } catch (const std::exception& e) {
    throw SetupError(409, "", "The users file cannot be read: " + std::string(e.what()) + ". Nothing was saved.");
  }
  for (const auto& user : users) {
    if (user.username == admin.username) {
      throw SetupError(409, "admin.username",
                       "A user named " + admin.username + " already exists in " + paths_.usersFile.string() + ".");
    }
  }

  const auto original = security::readFileIfExists(paths_.configFile);
  const std::filesystem::path embeddedPath =
      connection.embedded ? resolveFolder(connection.embedded->path) : std::filesystem::path{};
  const auto timestamp = utcTimestamp(std::chrono::system_clock::now());
  const auto edited =
      replaceTopLevelSection(original.value_or(""), "data", dataSectionYaml(connection, embeddedPath), timestamp);
  verifyEdit(original.value_or(""), edited, connection.embedded ? "local" : "elasticsearch", paths_.configFile);

  const mode_t originalMode = modeFor(paths_.configFile, false);
  try {
    security::writeFileAtomically(paths_.configFile, edited, hasSecrets(connection) ? 0600 : originalMode);
  } catch (const std::system_error& e) {
    throw SetupError(500, "", "Cannot write the config file: " + std::string(e.what()) +
                                  ". Nothing was saved: make the file and its folder writable by Orrery, then save again.");
  }

  users.push_back(security::UserRecord{admin.username, security::hashPassword(admin.password), "", {"superuser"}});
  try {
    security::saveUsersFile(paths_.usersFile, users);
  } catch (const std::exception& e) {
    // Put the config back as it was, so that setup runs again on the next start.
    try {
      if (original) {
        security::writeFileAtomically(paths_.configFile, *original, originalMode);
      } else {
        std::filesystem::remove(paths_.configFile);
      }
    } catch (const std::exception&) {
    }
    throw SetupError(500, "", "Cannot write the users file: " + std::string(e.what()) +
                                  ". Nothing was saved: make it writable by Orrery, then save again.");
  }

  std::error_code ignored;
  std::filesystem::remove(paths_.codeFile, ignored);
  saved_ = true;
  if (onSaved_) onSaved_();
  return {"Saved to " + paths_.configFile.string() + " and " + paths_.usersFile.string() + ". " + checked.message};
}

}  // namespace orrery::interactive_setup
