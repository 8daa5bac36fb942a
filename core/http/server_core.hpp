// What every connection of one server shares: options, loggers, the TLS context, the
// registry of open connections, the dispatcher of the current phase and the budget of
// body bytes in flight. Internal to core/http; includes Asio's SSL types.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "core/http/body_budget.hpp"
#include "core/http/connection_registry.hpp"
#include "core/http/dispatcher_slot.hpp"
#include "core/http/server_options.hpp"
#include "orrery/logger.hpp"

namespace orrery::server {

struct ServerCore {
  ServerCore(ServerOptions opts, orrery::Logger& serverLog, orrery::Logger& accessLog)
      : options(std::move(opts)), log(serverLog), access(accessLog), budget(options.maxInFlightBodyBytes) {}

  ServerOptions options;
  orrery::Logger& log;
  orrery::Logger& access;
  std::unique_ptr<boost::asio::ssl::context> tls;  // set when options.tls
  ConnectionRegistry connections;
  DispatcherSlot dispatchers;
  BodyBudget budget;
};

// Serves one accepted socket until it closes; `overCapacity` answers 503 and closes.
// Defined in plain_connection.cpp and tls_connection.cpp.
void spawnPlainConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core, bool overCapacity);
void spawnTlsConnection(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core, bool overCapacity);

}  // namespace orrery::server
