// Plain-TCP connections (and the verb mapping shared with TLS).
#include "core/http/connection.hpp"

namespace orrery::server {

http::Method toMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get: return http::Method::get;
    case bhttp::verb::head: return http::Method::head;
    case bhttp::verb::post: return http::Method::post;
    case bhttp::verb::put: return http::Method::put;
    case bhttp::verb::patch: return http::Method::patch;
    case bhttp::verb::delete_: return http::Method::del;
    case bhttp::verb::options: return http::Method::options;
    default: return http::Method::other;
  }
}

void spawnPlainConnection(asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core,
                          std::shared_ptr<const Dispatcher> dispatcher, bool overCapacity) {
  auto executor = socket.get_executor();
  auto connection = std::make_shared<Connection<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), core,
                                                                    std::move(dispatcher));
  launch(std::move(connection), executor, std::move(core), overCapacity);
}

}  // namespace orrery::server
