#include "routes.hpp"

#include <nlohmann/json.hpp>

#include "page_assets.hpp"
#include "password_rule.hpp"

namespace orrery::interactive_setup {

namespace {

using http::Request;
using http::Response;
using Json = nlohmann::json;
using SessionPtr = std::shared_ptr<SetupSession>;

constexpr std::size_t kMaxBodyBytes = 64 * 1024;
constexpr std::string_view kOutsidePreboot = "Cannot process request outside of preboot stage.";

std::string_view reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 409: return "Conflict";
    default: return "Internal Server Error";
  }
}

Response json(int status, const Json& body) {
  auto response = Response::json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

// Kibana's error shape, plus the field at fault and the attempts left for the page.
Response errorResponse(const SetupError& error, const SessionPtr& session) {
  Json attributes = Json::object();
  if (!error.field().empty()) attributes["field"] = error.field();
  if (session) attributes["attemptsLeft"] = session->code().attemptsLeft();
  return json(error.status(), {{"statusCode", error.status()},
                               {"error", reason(error.status())},
                               {"message", error.what()},
                               {"attributes", attributes}});
}

void requireInPreboot(const SessionPtr& session) {
  if (!session || session->saved()) throw SetupError(400, "", std::string(kOutsidePreboot));
}

Response asset(std::string_view body, std::string_view type) {
  Response response;
  response.status = 200;
  response.body = std::string(body);
  response.headers.set("Content-Type", std::string(type));
  response.headers.set("Cache-Control", "no-store");
  // The page loads nothing from elsewhere; say so to the browser too.
  response.headers.set("Content-Security-Policy",
                       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}

Task<Response> status(SessionPtr session, Executors&, Request&) {
  requireInPreboot(session);
  co_return json(200, {{"active", true},
                       {"locked", session->code().locked()},
                       {"attemptsLeft", session->code().attemptsLeft()},
                       {"passwordRule", kPasswordRule},
                       {"defaults", {{"dataFolder", session->paths().defaultDataFolder.string()}}}});
}

Task<Response> verify(SessionPtr session, Executors&, Request& request) {
  requireInPreboot(session);
  const auto body = parseBody(request.body);
  session->requireCode(parseCode(body));
  co_return json(200, {{"verified", true}, {"attemptsLeft", session->code().attemptsLeft()}});
}

Task<Response> checkConnection(SessionPtr session, Executors& executors, Request& request) {
  requireInPreboot(session);
  const auto body = parseBody(request.body);
  session->requireCode(parseCode(body));
  const auto it = body.find("connection");
  if (it == body.end()) throw SetupError(400, "connection", "Choose a data connection.");
  const auto connection = parseConnection(*it);
  auto work = [session, connection] { return session->check(connection); };
  const auto result = co_await executors.blocking(std::move(work));
  if (!result.ok) throw SetupError(400, result.field, result.message);
  Json out = {{"ok", true}, {"message", result.message}, {"attemptsLeft", session->code().attemptsLeft()}};
  if (!result.clusterName.empty()) out["clusterName"] = result.clusterName;
  if (!result.version.empty()) out["version"] = result.version;
  co_return json(200, out);
}

Task<Response> configure(SessionPtr session, Executors& executors, Request& request) {
  requireInPreboot(session);
  const auto body = parseBody(request.body);
  for (const auto& item : body.items()) {
    if (item.key() != "code" && item.key() != "connection" && item.key() != "admin") {
      throw SetupError(400, item.key(), "Unknown field \"" + item.key() + "\".");
    }
  }
  session->requireCode(parseCode(body));
  const auto connectionIt = body.find("connection");
  if (connectionIt == body.end()) throw SetupError(400, "connection", "Choose a data connection.");
  const auto adminIt = body.find("admin");
  if (adminIt == body.end()) throw SetupError(400, "admin", "Create the first admin user.");
  const auto connection = parseConnection(*connectionIt);
  const auto admin = parseAdmin(*adminIt);
  auto work = [session, connection, admin] { return session->save(connection, admin); };
  const auto saved = co_await executors.blocking(std::move(work));
  co_return json(200, {{"saved", true}, {"message", saved.message}, {"attemptsLeft", session->code().attemptsLeft()}});
}

// Errors become the page's error shape here, with the attempts left.
template <class Coroutine>
Task<Response> guarded(SessionPtr session, Executors* executors, Request& request, Coroutine coroutine) {
  try {
    co_return co_await coroutine(session, *executors, request);
  } catch (const SetupError& error) {
    co_return errorResponse(error, session);
  }
}

// Handlers call free coroutines that take their state by value: a coroutine lambda's
// captures live in the lambda object, not in the coroutine frame.
template <class Coroutine>
http::Handler bind(SessionPtr session, Executors& executors, Coroutine coroutine) {
  return [session = std::move(session), executors = &executors, coroutine](Request& request) {
    return guarded(session, executors, request, coroutine);
  };
}

Task<Response> page(Request&) { co_return asset(kIndexHtml, "text/html; charset=utf-8"); }
Task<Response> script(Request&) { co_return asset(kSetupJs, "text/javascript; charset=utf-8"); }
Task<Response> styles(Request&) { co_return asset(kSetupCss, "text/css; charset=utf-8"); }

}  // namespace

void registerRoutes(http::Router& router, Executors& executors, std::shared_ptr<SetupSession> session) {
  // Nobody is logged in during preboot: the verification code is what proves access.
  const http::RouteOptions options{.auth = http::Auth::none, .maxBodyBytes = kMaxBodyBytes};
  router.get("/internal/interactive_setup/status", bind(session, executors, status), options);
  router.post("/internal/interactive_setup/verify", bind(session, executors, verify), options);
  router.post("/internal/interactive_setup/check_connection", bind(session, executors, checkConnection), options);
  router.post("/internal/interactive_setup/configure", bind(session, executors, configure), options);
  if (!session) return;
  router.get("/", page, options);
  router.get("/interactive_setup/setup.js", script, options);
  router.get("/interactive_setup/setup.css", styles, options);
}

}  // namespace orrery::interactive_setup
