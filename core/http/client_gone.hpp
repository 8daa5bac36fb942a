// Which running handler's client went away: each connection, while a handler runs, keeps
// a cancellation source for its request here, keyed by the Request object's address, and
// cancels it when the peer closes the TCP connection. HttpService::clientGone(request)
// (SDK 1.5) looks the token up. Process-wide: the preboot and main servers share it.
#pragma once

#include <orrery/cancellation.hpp>
#include <orrery/http/request.hpp>

namespace orrery::server {

class ClientGoneWatch {
 public:
  // Registers `request` for the life of this object (one handler run).
  explicit ClientGoneWatch(const http::Request& request);
  ~ClientGoneWatch();
  ClientGoneWatch(const ClientGoneWatch&) = delete;
  ClientGoneWatch& operator=(const ClientGoneWatch&) = delete;

  // The peer closed the connection: cancels the request's token (idempotent).
  void clientGone() { source_.cancel(); }
  bool gone() const { return source_.cancelled(); }

  // The token of `request` while its watch lives; a token never cancelled otherwise.
  static CancellationToken tokenFor(const http::Request& request);

 private:
  const http::Request* request_;
  CancellationSource source_;
};

}  // namespace orrery::server
