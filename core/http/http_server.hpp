// The HTTP(S) listener: accepts connections on the host's io_context and serves each with
// the dispatcher of the current phase. Boost.Beast stays behind this header.
//
// One listening socket serves preboot and then the main routes. A handover (serve() with
// a new dispatcher after drain()) never refuses a client: while the old connections
// drain, new ones wait in the kernel's accept backlog, and are accepted by the next phase.
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

  // Starts accepting; new connections use `dispatcher` for their whole life.
  void serve(std::shared_ptr<const Dispatcher> dispatcher);
  // Stops accepting (the socket stays open), closes idle connections at once, lets
  // requests in flight finish until `deadline`, then closes what is left. Returns the
  // number of connections that had to be cut. Blocks: never call it on an I/O thread.
  std::size_t drain(std::chrono::steady_clock::time_point deadline);
  // drain(), then closes the listening socket.
  std::size_t stop(std::chrono::steady_clock::time_point deadline);

  std::size_t openConnections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace orrery::server
