// One client connection: a coroutine on its own strand that reads requests, hands them
// to the dispatcher and writes the responses, for plain TCP or TLS streams alike.
//
// Per request: wait for the first byte (idle timeout), read the head (request timeout),
// take the current phase's dispatcher, and judge the request from its head alone — route,
// body limit (Content-Length), authentication, the budget of body bytes in flight — so
// that a request refused on any of these is answered before a byte of its body is read
// (and without 100 Continue). Then read the body (a chunked one counted against its limit
// and the budget as it arrives), run the handler (no timeout: handlers own their time; a
// client that closes the connection meanwhile cancels the request's clientGone token),
// write the response (request timeout), log one access line.
// Malformed requests get 400 (431 for oversized heads, 413 for oversized bodies) and the
// connection is closed; a request answered with its body unread closes it too. Other
// connections are untouched.
//
// Internal to core/http: included by plain_connection.cpp and tls_connection.cpp only.
#pragma once

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <limits>
#include <fmt/format.h>
#include <memory>
#include <string>

#include "core/http/client_gone.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/request_head.hpp"
#include "core/http/request_id.hpp"
#include "core/http/server_core.hpp"
#include "core/http/task_bridge.hpp"

namespace orrery::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Lingering close: after sending a final response, read (and drop) what the client still
// sends for at most this long and this much, so that a response sent before an unread
// body is not lost to a TCP reset — but a client that goes on sending a body it was
// refused cannot make the server read it anyway.
inline constexpr std::chrono::milliseconds kLingerTime{1000};
inline constexpr std::size_t kLingerBytes = 1024 * 1024;
// What a 429 for the budget of body bytes in flight tells clients to wait, in seconds.
inline constexpr std::string_view kBudgetRetryAfter = "1";

template <class Stream>
class Connection {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(Stream stream, std::shared_ptr<ServerCore> core) : stream_(std::move(stream)), core_(std::move(core)) {
    beast::error_code ec;
    const auto endpoint = lowest().socket().remote_endpoint(ec);
    remote_ = ec ? "unknown" : endpoint.address().to_string();
  }

  asio::awaitable<void> run(bool overCapacity) {
    beast::error_code ec;
    if constexpr (kTls) {
      lowest().expires_after(core_->options.requestTimeout);
      co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        core_->log.debug("TLS handshake with " + remote_ + " failed: " + ec.message());
        lowest().close();
        co_return;
      }
    }
    if (overCapacity) {
      auto response = Dispatcher::errorResponse(Surface::kibana, 503, "too many open connections; try again later");
      response.headers.set("Retry-After", "1");
      co_await write(response, 11, false, false, requestIdFor(std::nullopt));
    } else {
      bool first = true;
      while (!closing_) {
        const bool again = co_await serveOne(first);
        if (!again) break;
        first = false;
      }
    }
    co_await close();
  }

  // Its entry in the server's registry, before run(): a phase change that runs out of
  // time cuts the connections of its requests through it.
  void registered(ConnectionRegistry::Entry entry) { entry_ = std::move(entry); }

  // On the connection's strand. Graceful: close now if idle, else after this response.
  void shutdown(bool force) {
    closing_ = true;
    if (force || !busy_) lowest().close();
  }

 private:
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  struct BusyScope {
    bool& flag;
    explicit BusyScope(bool& f) : flag(f) { flag = true; }
    ~BusyScope() { flag = false; }
  };

  using Parser = bhttp::request_parser<bhttp::string_body>;

  // While a handler runs, nothing reads the socket: wait until it is readable, then peek.
  // End of stream or an error means the client closed the connection: its request's
  // token is cancelled (HttpService::clientGone). Bytes mean it sent more (pipelining):
  // it is still there, and the watch ends. The callback holds no part of the connection.
  void watchPeer(const std::shared_ptr<ClientGoneWatch>& watch) {
    auto& socket = lowest().socket();
    const int fd = socket.native_handle();
    socket.async_wait(asio::ip::tcp::socket::wait_read, [weak = std::weak_ptr(watch), fd](const beast::error_code& ec) {
      if (ec) return;  // cancelled when the handler ended
      const auto alive = weak.lock();
      if (!alive) return;
      char byte = 0;
      const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) alive->clientGone();
    });
  }

  // Serves one request; returns whether the connection stays open for another.
  asio::awaitable<bool> serveOne(bool first) {
    beast::error_code ec;
    const auto& options = core_->options;
    if (buffer_.size() == 0) {
      lowest().expires_after(first ? options.requestTimeout : options.idleTimeout);
      const auto n = co_await stream_.async_read_some(buffer_.prepare(4096), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return false;  // closed by the client, idle too long, or shut down while idle
      buffer_.commit(n);
    }
    BusyScope busy(busy_);
    const auto started = std::chrono::steady_clock::now();

    lowest().expires_after(options.requestTimeout);
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(options.maxHeaderBytes));
    // Judged per route once the head is known. (Not boost::none: Beast 1.74 compares the
    // Content-Length against the optional, and any length is "greater" than none.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    co_await bhttp::async_read_header(stream_, buffer_, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_await rejectUnreadable(ec, started);
      co_return false;
    }

    auto& head = parser.get();
    http::Request request = requestFromHead(head, remote_);
    // The phase's dispatcher, held until the handler is done (dispatcher_slot.hpp).
    auto ticket = core_->dispatchers.enter(entry_);
    const Dispatcher& dispatcher = ticket.dispatcher();
    BodyBudget::Reservation body(core_->budget);
    auto prepared = co_await judgeHead(dispatcher, request, parser, body);

    const bool hasBody = parser.chunked() || parser.content_length().value_or(0) > 0;
    bool keep = options.keepAlive && head.keep_alive();
    if (prepared.early) {
      if (hasBody) keep = false;  // the body stays unread
    } else if (!parser.is_done()) {
      if (!co_await readBody(parser, prepared, body, started)) co_return false;
      if (prepared.early) keep = false;  // refused part-way: the rest stays unread
    }
    if (!prepared.early) request.body = std::move(parser.get().body());

    // The handler owns its time; the stream's timer must not cut it off.
    lowest().expires_never();
    auto watch = std::make_shared<ClientGoneWatch>(request);
    watchPeer(watch);
    auto response = co_await awaitTask(dispatcher.respond(request, std::move(prepared)));
    watch.reset();
    beast::error_code ignored;
    lowest().socket().cancel(ignored);  // ends the peer watch
    // The handler is done: its phase may end now, and its body's bytes go back.
    ticket.release();
    std::string().swap(request.body);
    body.release();
    if (closing_) keep = false;
    const auto bytes = co_await write(response, head.version(), request.method == http::Method::head, keep,
                                      request.requestId);
    logAccess(request.methodName, request.path.empty() ? request.target : request.path, response.status, bytes,
              started, request.user.username, request.requestId);
    co_return keep && bytes.has_value();
  }

  // Everything that can be decided from the head, cheapest first: the route, the body
  // limit against Content-Length, authentication, the budget. A refusal is `early`.
  asio::awaitable<Prepared> judgeHead(const Dispatcher& dispatcher, http::Request& request, const Parser& parser,
                                      BodyBudget::Reservation& body) {
    auto prepared = dispatcher.prepare(request);
    const auto length = parser.content_length();
    if (!prepared.early && length && *length > prepared.bodyLimit) prepared.early = tooLarge(prepared);
    prepared = co_await awaitTask(dispatcher.admit(request, std::move(prepared)));
    if (!prepared.early && length && !body.growTo(*length)) prepared.early = overBudget(prepared, *length);
    co_return prepared;
  }

  // Reads the body, counting it against the route's limit and the budget as it arrives.
  // Sets prepared.early (413, 429) when it may not be read on; false when the connection
  // is lost.
  asio::awaitable<bool> readBody(Parser& parser, Prepared& prepared, BodyBudget::Reservation& body,
                                 std::chrono::steady_clock::time_point started) {
    beast::error_code ec;
    if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, parser.get().version()};
      co_await bhttp::async_write(stream_, proceed, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return false;
    }
    parser.body_limit(prepared.bodyLimit);
    while (!parser.is_done()) {
      co_await bhttp::async_read_some(stream_, buffer_, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        prepared.early = tooLarge(prepared);
        co_return true;
      }
      if (ec) {
        co_await rejectUnreadable(ec, started);
        co_return false;
      }
      const auto size = parser.get().body().size();
      if (!body.growTo(size)) {
        prepared.early = overBudget(prepared, size);
        co_return true;
      }
    }
    co_return true;
  }

  // The budget of body bytes in flight has no room for `length` bytes more: 429, unless
  // the body alone is larger than the whole budget (then no retry would help: 413).
  http::Response overBudget(const Prepared& prepared, std::uint64_t length) const {
    const auto limit = core_->budget.limit();
    if (length > limit) {
      return Dispatcher::errorResponse(prepared.surface, 413,
                                       "request body of " + std::to_string(length) +
                                           " bytes is larger than the budget of body bytes in flight (" +
                                           std::to_string(limit) + " bytes, server.maxInFlightBodyBytes)");
    }
    auto response = Dispatcher::errorResponse(
        prepared.surface, 429,
        "too many request body bytes in flight: this request's " + std::to_string(length) +
            " would take the total past " + std::to_string(limit) +
            " bytes (server.maxInFlightBodyBytes); try again later",
        "es_rejected_execution_exception");
    response.headers.set("Retry-After", std::string(kBudgetRetryAfter));
    return response;
  }

  http::Response tooLarge(const Prepared& prepared) const {
    return Dispatcher::errorResponse(prepared.surface, 413,
                                     "request body is larger than the limit of " +
                                         std::to_string(prepared.bodyLimit) + " bytes");
  }

  // The head or body could not be read: say why when the client can still hear it.
  asio::awaitable<void> rejectUnreadable(beast::error_code ec, std::chrono::steady_clock::time_point started) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted) {
      co_return;
    }
    if (ec == beast::error::timeout) {
      // tcp_stream closed the socket on expiry: nothing can be sent any more.
      core_->log.info("closed a connection from " + remote_ + ": the request did not arrive within " +
                          std::to_string(core_->options.requestTimeout.count()) + "ms",
                      {{"remoteAddress", remote_}});
      co_return;
    }
    int status = 400;
    std::string message = "malformed HTTP request: " + ec.message();
    if (ec == bhttp::error::header_limit) {
      status = 431;
      message = "request head is larger than the limit of " + std::to_string(core_->options.maxHeaderBytes) + " bytes";
    } else if (ec == bhttp::error::body_limit) {
      status = 413;
      message = "request body is larger than the limit";
    }
    auto response = Dispatcher::errorResponse(Surface::kibana, status, message);
    const std::string id = requestIdFor(std::nullopt);
    const auto bytes = co_await write(response, 11, false, false, id);
    logAccess("-", "-", status, bytes, started, "-", id);
  }

  // Writes `response`; returns the body size, or nullopt if writing failed.
  asio::awaitable<std::optional<std::size_t>> write(http::Response& response, unsigned version, bool headRequest,
                                                    bool keep, const std::string& requestId) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), version};
    const auto phrase = http::reasonPhrase(response.status);
    out.reason(beast::string_view(phrase.data(), phrase.size()));
    for (const auto& [name, value] : response.headers.all()) {
      // Framing is the server's business, whatever a handler set.
      if (http::equalsIgnoreCase(name, "Content-Length") || http::equalsIgnoreCase(name, "Transfer-Encoding") ||
          http::equalsIgnoreCase(name, "Connection")) {
        continue;
      }
      out.insert(name, value);
    }
    out.set("X-Request-Id", requestId);
    const std::size_t size = response.body.size();
    out.body() = std::move(response.body);
    out.keep_alive(keep);
    out.prepare_payload();
    if (headRequest) out.body().clear();  // Content-Length stays that of the GET body

    beast::error_code ec;
    lowest().expires_after(core_->options.requestTimeout);
    co_await bhttp::async_write(stream_, out, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return std::nullopt;
    co_return size;
  }

  asio::awaitable<void> close() {
    beast::error_code ec;
    if constexpr (kTls) {
      // close_notify, waiting a moment for the peer's; then the socket goes either way.
      lowest().expires_after(kLingerTime);
      co_await stream_.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    } else {
      lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
      if (!ec && !closing_) {
        lowest().expires_after(kLingerTime);
        char sink[16 * 1024];
        std::size_t drained = 0;
        while (!ec && drained < kLingerBytes) {
          drained += co_await lowest().async_read_some(asio::buffer(sink),
                                                       asio::redirect_error(asio::use_awaitable, ec));
        }
      }
    }
    lowest().close();
  }

  void logAccess(std::string_view method, std::string_view path, int status, std::optional<std::size_t> bytes,
                 std::chrono::steady_clock::time_point started, const std::string& user, const std::string& requestId) {
    if (!core_->access.enabled(orrery::LogLevel::info)) return;
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    const std::string sent = bytes ? std::to_string(*bytes) : std::string("-");
    core_->access.info(fmt::format("{} {} {}", method, path, status),
                       {{"bytes", sent},
                        {"durationMs", fmt::format("{:.1f}", ms)},
                        {"user", user},
                        {"remoteAddress", remote_},
                        {"requestId", requestId}});
  }

  Stream stream_;
  std::shared_ptr<ServerCore> core_;
  ConnectionRegistry::Entry entry_;
  beast::flat_buffer buffer_;
  std::string remote_;
  // Touched on the strand only.
  bool busy_ = false;
  bool closing_ = false;
};

// Registers `connection` with the server and runs it on `executor` (its strand).
template <class Stream, class Executor>
void launch(std::shared_ptr<Connection<Stream>> connection, Executor executor, std::shared_ptr<ServerCore> core,
            bool overCapacity) {
  auto entry = core->connections.add([weak = std::weak_ptr(connection), executor](bool force) {
    asio::post(executor, [weak, force] {
      if (auto alive = weak.lock()) alive->shutdown(force);
    });
  });
  connection->registered(entry);
  // The completion handler owns the connection: the coroutine only has `this`.
  auto running = connection->run(overCapacity);
  asio::co_spawn(executor, std::move(running), [core, entry, connection](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        core->log.error(std::string("a connection failed: ") + e.what());
      } catch (...) {
        core->log.error("a connection failed with a non-standard exception");
      }
    }
    core->connections.remove(entry);
  });
}

}  // namespace orrery::server
