// TLS connections: the same connection code over an OpenSSL stream.
#include <boost/beast/ssl.hpp>

#include "core/http/connection.hpp"

namespace orrery::server {

void spawnTlsConnection(asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core, bool overCapacity) {
  using Stream = beast::ssl_stream<beast::tcp_stream>;
  auto executor = socket.get_executor();
  auto connection = std::make_shared<Connection<Stream>>(Stream(beast::tcp_stream(std::move(socket)), *core->tls), core);
  launch(std::move(connection), executor, std::move(core), overCapacity);
}

}  // namespace orrery::server
