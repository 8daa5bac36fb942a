#include "setup_request.hpp"

#include <algorithm>
#include <orrery/http/json_body.hpp>

#include "password_rule.hpp"
#include "users_file.hpp"
#include "verification_code.hpp"

namespace orrery::interactive_setup {

namespace {

using http::jsonTypeName;

// Field access over one JSON object, each problem naming `where.name`.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) {
      throw SetupError(400, where_, "Expected an object but got " + std::string(jsonTypeName(object_)) + ".");
    }
  }

  std::string text(const std::string& name, bool required, const std::string& label) {
    const auto it = object_.find(name);
    if (it == object_.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
      if (required) throw SetupError(400, field(name), label + " is required.");
      return {};
    }
    if (!it->is_string()) {
      throw SetupError(400, field(name), label + " must be text, not " + std::string(jsonTypeName(*it)) + ".");
    }
    return it->get<std::string>();
  }

  // Keys the page never sends are refused, so a typo in an automation script shows up.
  void allowOnly(std::initializer_list<std::string_view> names) const {
    for (const auto& item : object_.items()) {
      if (std::find(names.begin(), names.end(), item.key()) == names.end()) {
        throw SetupError(400, field(item.key()), "Unknown field \"" + item.key() + "\".");
      }
    }
  }

  std::string field(const std::string& name) const { return where_ + "." + name; }

 private:
  const nlohmann::json& object_;
  std::string where_;
};

bool hasControlCharacters(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void checkUrl(const std::string& url, const std::string& field) {
  const bool http = url.starts_with("http://");
  const bool https = url.starts_with("https://");
  if (!http && !https) throw SetupError(400, field, "The URL must start with http:// or https://.");
  const auto rest = std::string_view(url).substr(http ? 7 : 8);
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  if (authority.empty()) throw SetupError(400, field, "The URL has no host.");
  if (authority.find('@') != std::string_view::npos) {
    throw SetupError(400, field, "Put the username and password in their own fields, not in the URL.");
  }
  // A path is a prefix some proxies put in front of a cluster (or Orrery's own /es mount);
  // a query or fragment has no meaning here.
  if (url.find_first_of("?#") != std::string::npos) {
    throw SetupError(400, field, "The URL must not have a query (?) or fragment (#).");
  }
  if (hasControlCharacters(url) || url.find(' ') != std::string::npos) {
    throw SetupError(400, field, "The URL contains spaces or control characters.");
  }
}

}  // namespace

nlohmann::json parseBody(std::string_view text) {
  if (text.empty()) throw SetupError(400, "", "Expected a JSON body.");
  nlohmann::json body;
  try {
    body = orrery::parseJson(text);  // bounded: values are dumped into error messages
  } catch (const orrery::JsonTooDeep& tooDeep) {
    throw SetupError(400, "", std::string("The request body's ") + tooDeep.what() + ".");
  }
  if (body.is_discarded()) throw SetupError(400, "", "The request body is not valid JSON.");
  if (!body.is_object()) throw SetupError(400, "", "The request body must be a JSON object.");
  return body;
}

std::string parseCode(const nlohmann::json& body) {
  Fields fields(body, "request");
  auto code = fields.text("code", true, "The verification code");
  if (!looksLikeCode(code)) throw SetupError(400, "code", "The verification code is six digits.");
  return code;
}

Connection parseConnection(const nlohmann::json& value, const std::string& where) {
  Fields fields(value, where);
  const auto type = fields.text("type", true, "The connection type");
  Connection connection;
  if (type == "embedded") {
    fields.allowOnly({"type", "path"});
    auto path = fields.text("path", true, "The data folder");
    if (hasControlCharacters(path)) throw SetupError(400, fields.field("path"), "The folder name contains control characters.");
    connection.embedded = EmbeddedConnection{std::move(path)};
    return connection;
  }
  if (type != "remote") {
    throw SetupError(400, fields.field("type"), "The connection type is \"embedded\" or \"remote\", not \"" + type + "\".");
  }
  fields.allowOnly({"type", "url", "username", "password", "apiKey", "certificateAuthority"});
  RemoteConnection remote;
  remote.url = fields.text("url", true, "The cluster URL");
  checkUrl(remote.url, fields.field("url"));
  if (remote.url.ends_with('/')) remote.url.pop_back();
  remote.username = fields.text("username", false, "The username");
  remote.password = fields.text("password", false, "The password");
  remote.apiKey = fields.text("apiKey", false, "The API key");
  remote.certificateAuthority = fields.text("certificateAuthority", false, "The CA file");
  if (!remote.apiKey.empty() && (!remote.username.empty() || !remote.password.empty())) {
    throw SetupError(400, fields.field("apiKey"), "Use either a username and password or an API key, not both.");
  }
  if (!remote.username.empty() && remote.password.empty()) {
    throw SetupError(400, fields.field("password"), "The password is required with a username.");
  }
  if (remote.username.empty() && !remote.password.empty()) {
    throw SetupError(400, fields.field("username"), "The username is required with a password.");
  }
  for (const auto* secret : {&remote.username, &remote.password, &remote.apiKey}) {
    if (hasControlCharacters(*secret)) {
      throw SetupError(400, fields.field(secret == &remote.apiKey ? "apiKey" : secret == &remote.password ? "password" : "username"),
                       "Contains control characters.");
    }
  }
  if (!remote.certificateAuthority.empty() && remote.url.starts_with("http://")) {
    throw SetupError(400, fields.field("certificateAuthority"), "A CA file only applies to an https:// URL.");
  }
  connection.remote = std::move(remote);
  return connection;
}

AdminUser parseAdmin(const nlohmann::json& value, const std::string& where) {
  Fields fields(value, where);
  fields.allowOnly({"username", "password"});
  AdminUser admin;
  admin.username = fields.text("username", true, "The username");
  if (const auto problem = security::usernameProblem(admin.username); !problem.empty()) {
    throw SetupError(400, fields.field("username"), problem);
  }
  admin.password = fields.text("password", true, "The password");
  if (const auto problem = passwordProblem(admin.password, admin.username); !problem.empty()) {
    throw SetupError(400, fields.field("password"), problem);
  }
  return admin;
}

}  // namespace orrery::interactive_setup
