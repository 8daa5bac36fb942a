// The HTTP service as a plugin sees it during setup (and preboot setup): where it adds
// routes and, for the security plugin, where authentication plugs in.
#pragma once

#include <memory>
#include <string>

#include "orrery/cancellation.hpp"
#include "orrery/http/auth.hpp"
#include "orrery/http/router.hpp"

namespace orrery::http {

class HttpService {
 public:
  virtual ~HttpService() = default;

  // Routes at absolute paths under `/api`, `/internal` or `/app`, with Kibana-style error
  // bodies. During preboot these routes are served by the preboot server only.
  virtual Router& router() = 0;
  // Routes relative to the Elasticsearch-compatible mount (`server.elasticsearchMount`,
  // `/es` by default), e.g. "/{index}/_search", with Elasticsearch-style error bodies.
  virtual Router& elasticsearchRouter() = 0;
  virtual std::string elasticsearchMount() const = 0;

  // At most one per host (the security plugin's); a second registration throws.
  virtual void registerAuthenticator(std::shared_ptr<Authenticator> authenticator) = 0;
  // Security is switched off by configuration: every request runs as the anonymous user,
  // and the host warns about it at start. Without either call, routes that need a user
  // answer 503, so a missing security plugin never opens the host up.
  virtual void disableAuthentication(std::string reason) = 0;

  // Where the host's server listens, as a URL without a trailing slash, e.g.
  // "http://127.0.0.1:5601" ("https://" with TLS; the port actually bound, also when the
  // configuration asked for port 0). For log lines that tell an operator where to go.
  // (SDK 1.2)
  virtual std::string serverUrl() const = 0;

  // Cancelled when the client of `request` goes away (closes its connection) before the
  // handler has answered, so that work done only for that answer stops: pass it to
  // searches and other long operations. Valid to call from the handler of `request`,
  // while it runs; for anything else it is a token never cancelled. Detected for plain
  // and TLS connections when the peer closes the TCP connection; a client that sends
  // more requests on the same connection (pipelining) before closing is not seen until
  // the handler ends. (SDK 1.5; the default, for test doubles written against 1.4, is a
  // token never cancelled.)
  virtual CancellationToken clientGone(const Request& request) const {
    (void)request;
    return {};
  }
};

}  // namespace orrery::http
