// Plain-TCP connections.
#include "core/http/connection.hpp"

namespace orrery::server {

void spawnPlainConnection(asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core, bool overCapacity) {
  auto executor = socket.get_executor();
  auto connection = std::make_shared<Connection<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), core);
  launch(std::move(connection), executor, std::move(core), overCapacity);
}

}  // namespace orrery::server
