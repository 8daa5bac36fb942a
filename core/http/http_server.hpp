// The HTTP(S) listener: accepts connections on the host's io_context and serves each with
// the dispatcher of the current phase. Boost.Beast stays behind this header.
//
// One listening socket and one accept loop serve preboot, then the main routes. A phase
// change (serve() again with the next phase's dispatcher) neither stops accepting nor
// closes a connection: each request takes the dispatcher current when its head arrives,
// and the change waits only for the previous phase's requests in flight. Whatever the
// clients do (keep-alive connections that never go idle, new connections every
// millisecond), it completes, and no client is refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/http/server_options.hpp"

namespace boost::asio {
class io_context;
}
namespace orrery {
class Logger;
}

namespace orrery::server {

class Dispatcher;

class HttpServer {
 public:
  // `log` gets server events, `accessLog` one line per request.
  HttpServer(boost::asio::io_context& io, ServerOptions options, orrery::Logger& log, orrery::Logger& accessLog);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files and binds; throws std::runtime_error naming the address or file.
  void listen();
  std::uint16_t port() const;
  // e.g. "http://127.0.0.1:5601"
  std::string url() const;

  // Requests whose head arrives from now on go to `dispatcher`. The first call starts
  // accepting; a later one is a phase change: it waits until the requests of the previous
  // dispatcher are done, and cuts their connections at `deadline`. Returns the number of
  // connections cut. Blocks: never call it on an I/O thread.
  std::size_t serve(std::shared_ptr<const Dispatcher> dispatcher, std::chrono::steady_clock::time_point deadline);
  // Stops accepting, closes idle connections at once, lets requests in flight finish
  // until `deadline`, then closes what is left and the listening socket. Returns the
  // number of connections that had to be cut. Blocks: never call it on an I/O thread.
  std::size_t stop(std::chrono::steady_clock::time_point deadline);

  std::size_t openConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace orrery::server
