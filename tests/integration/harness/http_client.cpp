#include "http_client.hpp"

#include <utility>  // Boost 1.74's asio needs it before its headers

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <regex>
#include <stdexcept>

namespace harness {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool sameName(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()), beast::string_view(b.data(), b.size()));
}

// Runs the io_context until the started operation completes; the stream's own timer
// bounds it.
void runOne(asio::io_context& io) {
  io.restart();
  io.run();
}

}  // namespace

std::optional<std::string> HttpResult::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (sameName(key, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResult::headerValues(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers) {
    if (sameName(key, name)) out.push_back(value);
  }
  return out;
}

nlohmann::json HttpResult::json() const { return nlohmann::json::parse(body); }

struct HttpClient::Impl {
  std::uint16_t port;
  std::optional<std::filesystem::path> caFile;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

  void connect() {
    buffer.clear();
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    if (!caFile) {
      plain = std::make_unique<beast::tcp_stream>(io);
      plain->expires_after(timeout);
      plain->async_connect(endpoint, [&](beast::error_code e) { ec = e; });
      runOne(io);
      if (ec) throw std::runtime_error("connect: " + ec.message());
      return;
    }
    if (!tls) {
      tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      tls->load_verify_file(caFile->string());
      tls->set_verify_mode(asio::ssl::verify_peer);
    }
    secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, *tls);
    auto& low = beast::get_lowest_layer(*secure);
    low.expires_after(timeout);
    low.async_connect(endpoint, [&](beast::error_code e) { ec = e; });
    runOne(io);
    if (ec) throw std::runtime_error("connect: " + ec.message());
    secure->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    runOne(io);
    if (ec) throw std::runtime_error("TLS handshake: " + ec.message());
  }

  template <class Stream>
  HttpResult exchange(Stream& stream, bhttp::request<bhttp::string_body>& request) {
    beast::error_code ec;
    lowest().expires_after(timeout);
    bhttp::async_write(stream, request, [&](beast::error_code e, std::size_t) { ec = e; });
    runOne(io);
    if (ec) throw std::runtime_error("write: " + ec.message());
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (request.method() == bhttp::verb::head) parser.skip(true);
    bhttp::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    runOne(io);
    if (ec) throw std::runtime_error("read: " + ec.message());
    auto& response = parser.get();
    HttpResult result;
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    result.body = std::move(response.body());
    result.closing = !response.keep_alive();
    return result;
  }

  void close() {
    beast::error_code ec;
    if (plain || secure) lowest().socket().close(ec);
    plain.reset();
    secure.reset();
  }
};

HttpClient::HttpClient(std::uint16_t port, std::optional<std::filesystem::path> caFile,
                       std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->caFile = std::move(caFile);
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() { impl_->close(); }

HttpResult HttpClient::get(const std::string& target, const Headers& headers) {
  return send("GET", target, {}, headers);
}

HttpResult HttpClient::send(const std::string& method, const std::string& target, const std::string& body,
                            const Headers& headers) {
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty() && !request.count(bhttp::field::content_type)) request.set(bhttp::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  // A kept-alive connection the server has meanwhile closed fails on first use: retry once
  // on a fresh one.
  for (int attempt = 0;; ++attempt) {
    const bool reused = impl_->plain || impl_->secure;
    if (!reused) impl_->connect();
    try {
      auto result = impl_->plain ? impl_->exchange(*impl_->plain, request) : impl_->exchange(*impl_->secure, request);
      if (result.closing) impl_->close();
      return result;
    } catch (const std::runtime_error&) {
      impl_->close();
      if (!reused || attempt > 0) throw;
    }
  }
}

struct RawConnection::Impl {
  asio::io_context io;
  beast::tcp_stream stream{io};
  std::string received;
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(30));
  impl_->stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                              [&](beast::error_code e) { ec = e; });
  runOne(impl_->io);
  if (ec) throw std::runtime_error("connect: " + ec.message());
}

RawConnection::~RawConnection() {
  beast::error_code ec;
  impl_->stream.socket().close(ec);
}

void RawConnection::write(std::string_view bytes) {
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(30));
  asio::async_write(impl_->stream, asio::buffer(bytes.data(), bytes.size()),
                    [&](beast::error_code e, std::size_t) { ec = e; });
  runOne(impl_->io);
  if (ec) throw std::runtime_error("write: " + ec.message());
}

// Reads what has arrived, waiting until `deadline`; the error ends the read (timeout,
// EOF, reset) or is empty.
beast::error_code RawConnection::readSome(std::chrono::steady_clock::time_point deadline) {
  const auto left = deadline - std::chrono::steady_clock::now();
  if (left <= std::chrono::milliseconds(0)) return beast::error::timeout;
  char chunk[4096];
  beast::error_code ec;
  std::size_t n = 0;
  impl_->stream.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(left));
  impl_->stream.async_read_some(asio::buffer(chunk), [&](beast::error_code e, std::size_t size) {
    ec = e;
    n = size;
  });
  runOne(impl_->io);
  impl_->received.append(chunk, n);
  return ec;
}

std::string RawConnection::readUntil(std::string_view text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (impl_->received.find(text) == std::string::npos && !readSome(deadline)) {
  }
  return impl_->received;
}

void RawConnection::forget() { impl_->received.clear(); }

std::optional<std::string> RawConnection::readUntilClosed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto ec = readSome(deadline);
    if (ec == beast::error::timeout) return std::nullopt;
    if (ec) return impl_->received;  // EOF or reset: closed
  }
}

std::uint16_t listeningPort(const ChildProcess& process) {
  static const std::regex pattern("listening on https?://[^ ]*:([0-9]+)");
  std::smatch match;
  const std::string output = process.output();
  if (!std::regex_search(output, match, pattern)) throw std::runtime_error("orrery printed no listening line");
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

std::string basicAuthorization(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string encoded(beast::detail::base64::encoded_size(plain.size()), '\0');
  encoded.resize(beast::detail::base64::encode(encoded.data(), plain.data(), plain.size()));
  return "Basic " + encoded;
}

}  // namespace harness
