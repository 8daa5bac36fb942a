#include "core/http/http_server.hpp"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>

#include "core/http/server_core.hpp"

namespace orrery::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& context, ServerOptions options, orrery::Logger& log, orrery::Logger& access)
      : io(context),
        core(std::make_shared<ServerCore>(std::move(options), log, access)),
        strand(asio::make_strand(context)),
        acceptor(strand) {}

  asio::io_context& io;
  std::shared_ptr<ServerCore> core;
  asio::strand<asio::io_context::executor_type> strand;  // the acceptor's
  tcp::acceptor acceptor;
  std::uint16_t port = 0;

  std::mutex mutex;
  std::condition_variable acceptingChanged;
  bool accepting = false;  // the accept loop runs
  bool stopping = false;   // stop() began: no accept may start again

  bool stopRequested() {
    std::lock_guard lock(mutex);
    return stopping;
  }

  asio::awaitable<void> acceptLoop() {
    auto& options = core->options;
    for (;;) {
      // Checked before every accept; stop() sets the flag first and then posts its cancel
      // to this strand. An accept that completed just before the cancel ran therefore
      // cannot be followed by one that nothing would ever cancel.
      if (stopRequested()) break;
      tcp::socket socket(asio::make_strand(io));
      boost::system::error_code ec;
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (stopRequested() || !acceptor.is_open()) break;  // a socket accepted meanwhile closes with it
      if (ec == asio::error::operation_aborted) continue;
      if (ec) {
        core->log.warn("accepting a connection failed: " + ec.message());
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          // Out of file descriptors: give closing connections a moment instead of spinning.
          asio::steady_timer backoff(strand, std::chrono::milliseconds(50));
          co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      const bool overCapacity = core->connections.size() >= options.maxConnections;
      if (overCapacity) {
        core->log.warn("refusing a connection from " + socket.remote_endpoint(ec).address().to_string() + ": " +
                       std::to_string(options.maxConnections) + " connections are open (server.maxConnections)");
      }
      if (options.tls) {
        spawnTlsConnection(std::move(socket), core, overCapacity);
      } else {
        spawnPlainConnection(std::move(socket), core, overCapacity);
      }
    }
  }

  void setAccepting(bool value) {
    {
      std::lock_guard lock(mutex);
      accepting = value;
    }
    acceptingChanged.notify_all();
  }

  // Stops the accept loop and waits until it has ended (or `deadline` passed).
  void stopAccepting(std::chrono::steady_clock::time_point deadline) {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    auto self = shared_from_this();
    asio::post(strand, [self] {
      boost::system::error_code ec;
      self->acceptor.cancel(ec);
    });
    std::unique_lock lock(mutex);
    acceptingChanged.wait_until(lock, deadline, [&] { return !accepting; });
  }

  void startAccepting() {
    {
      std::lock_guard lock(mutex);
      if (stopping) throw std::logic_error("HttpServer::serve: the server was stopped");
      accepting = true;
    }
    auto self = shared_from_this();
    asio::co_spawn(strand, acceptLoop(), [self](std::exception_ptr error) {
      if (error) self->core->log.error("the accept loop failed");
      self->setAccepting(false);
    });
  }
};

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, orrery::Logger& log, orrery::Logger& accessLog)
    : impl_(std::make_shared<Impl>(io, std::move(options), log, accessLog)) {}

// The owner stops the server while the io_context still runs (stop() posts to it); by
// destruction time the I/O threads may be gone, so only the socket is closed here.
HttpServer::~HttpServer() {
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

void HttpServer::listen() {
  auto& options = impl_->core->options;
  if (options.tls) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    context->use_certificate_chain_file(options.certificate.string(), ec);
    if (ec) {
      throw std::runtime_error("server.ssl.certificate: cannot use " + options.certificate.string() + ": " +
                               ec.message());
    }
    context->use_private_key_file(options.key.string(), asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("server.ssl.key: cannot use " + options.key.string() + ": " + ec.message());
    impl_->core->tls = std::move(context);
  }

  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) throw std::runtime_error("server.host: '" + options.host + "' is not an IP address: " + ec.message());
  const tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl_->acceptor;
  const auto fail = [&](const char* what) {
    return std::runtime_error(std::string("cannot listen on ") + options.host + ":" + std::to_string(options.port) +
                              " (server.host, server.port): " + what + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) throw fail("open");
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) throw fail("bind");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw fail("listen");
  impl_->port = acceptor.local_endpoint().port();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::url() const {
  const auto& options = impl_->core->options;
  const bool v6 = options.host.find(':') != std::string::npos;
  return std::string(options.tls ? "https" : "http") + "://" + (v6 ? "[" + options.host + "]" : options.host) + ":" +
         std::to_string(impl_->port);
}

std::size_t HttpServer::serve(std::shared_ptr<const Dispatcher> dispatcher,
                              std::chrono::steady_clock::time_point deadline) {
  auto& slot = impl_->core->dispatchers;
  const auto previous = slot.swap(std::move(dispatcher));
  if (!previous) {
    impl_->startAccepting();
    return 0;
  }
  if (slot.waitDone(previous.get(), deadline)) return 0;
  const std::size_t cut = slot.cut(previous.get());
  impl_->core->log.warn(std::to_string(cut) + " request(s) of the previous phase still busy at the deadline: closing "
                        "their connections");
  // A handler that never returns keeps its ticket; don't wait on it forever.
  slot.waitDone(previous.get(), std::chrono::steady_clock::now() + std::chrono::seconds(1));
  return cut;
}

std::size_t HttpServer::stop(std::chrono::steady_clock::time_point deadline) {
  auto impl = impl_;
  impl->stopAccepting(deadline);
  auto& connections = impl->core->connections;
  std::size_t cut = 0;
  connections.shutdownAll(false);
  if (!connections.waitEmpty(deadline)) {
    cut = connections.size();
    impl->core->log.warn(std::to_string(cut) + " connection(s) still busy at the shutdown deadline: closing them");
    connections.shutdownAll(true);
    // A handler that never returns keeps its connection's coroutine; don't wait on it forever.
    connections.waitEmpty(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  std::promise<void> closed;
  asio::post(impl->strand, [impl, &closed] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    closed.set_value();
  });
  closed.get_future().wait();
  return cut;
}

std::size_t HttpServer::openConnections() const { return impl_->core->connections.size(); }

}  // namespace orrery::server
