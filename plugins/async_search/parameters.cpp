#include "parameters.hpp"

#include <nlohmann/json.hpp>

#include "time_value.hpp"

namespace orrery::async_search {
namespace {

constexpr const char* kValidation = "action_request_validation_exception";

// Parameters every Elasticsearch route takes (response formatting), accepted and ignored.
bool commonParameter(const std::string& name) {
  return name == "pretty" || name == "human" || name == "error_trace" || name == "filter_path";
}

class Validation {
 public:
  void add(std::string message) { messages_.push_back(std::move(message)); }
  void throwIfAny() const {
    if (messages_.empty()) return;
    std::string reason = "Validation Failed: ";
    for (std::size_t i = 0; i < messages_.size(); ++i) {
      reason.append(std::to_string(i + 1)).append(": ").append(messages_[i]).append(";");
    }
    throw AsyncSearchError(400, kValidation, reason);
  }

 private:
  std::vector<std::string> messages_;
};

bool boolParameter(const std::string& name, const std::string& value) {
  if (value.empty() || value == "true") return true;
  if (value == "false") return false;
  throw AsyncSearchError(400, "illegal_argument_exception",
                         "Failed to parse value [" + value + "] as only [true] or [false] are allowed. (parameter [" +
                             name + "])");
}

std::string keepAliveProblem(std::chrono::milliseconds keepAlive, const std::string& text, const KeepAliveLimits& limits) {
  if (keepAlive < std::chrono::seconds(1)) return "[keep_alive] must be greater or equals than 1 second, got:" + text;
  if (keepAlive > limits.maxKeepAlive) {
    return "[keep_alive] of [" + text + "] is too large; the maximum is [" + formatTimeValue(limits.maxKeepAlive) +
           "] (async_search.maxKeepAlive)";
  }
  return {};
}

}  // namespace

void checkKeepAlive(std::chrono::milliseconds keepAlive, const std::string& text, const KeepAliveLimits& limits) {
  Validation validation;
  if (auto problem = keepAliveProblem(keepAlive, text, limits); !problem.empty()) validation.add(std::move(problem));
  validation.throwIfAny();
}

bool suggestOnly(const std::string& body) {
  if (body.find("suggest") == std::string::npos) return false;
  // Top-level keys only: every value is skipped by the parser, not built.
  std::vector<std::string> keys;
  const auto collect = [&keys](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed.is_string()) keys.push_back(parsed.get<std::string>());
    return depth == 0;
  };
  const auto parsed = nlohmann::json::parse(body, collect, false);
  if (parsed.is_discarded()) return false;  // not JSON: the strategy reports it
  bool suggest = false;
  for (const auto& key : keys) {
    if (key == "suggest") suggest = true;
    else if (key == "query" || key == "aggs" || key == "aggregations" || key == "post_filter" || key == "knn") return false;
  }
  return suggest;
}

SubmitRequest parseSubmitParameters(const QueryParameters& query, const std::string& body, const KeepAliveLimits& limits) {
  SubmitRequest request;
  Validation validation;
  std::optional<std::string> keepAliveText;
  std::optional<std::string> preFilterShardSize;
  bool scroll = false;
  for (const auto& [name, value] : query) {
    if (name == "wait_for_completion_timeout") {
      const auto wait = parseTimeValue(value, name);
      request.waitForCompletion = wait.count() < 0 ? std::chrono::milliseconds(0) : wait;
    } else if (name == "keep_on_completion") {
      request.keepOnCompletion = boolParameter(name, value);
    } else if (name == "keep_alive") {
      request.keepAlive = parseTimeValue(value, name);
      keepAliveText = value;
    } else if (name == "batched_reduce_size") {
      int size = 0;
      try {
        std::size_t used = 0;
        size = std::stoi(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
      } catch (const std::exception&) {
        throw AsyncSearchError(400, "illegal_argument_exception",
                               "Failed to parse int parameter [batched_reduce_size] with value [" + value + "]");
      }
      if (size < 2) throw AsyncSearchError(400, "illegal_argument_exception", "batchedReduceSize must be >= 2");
      request.batchedReduceSize = size;
    } else if (name == "strategy") {
      // Orrery's own: the data plugin's strategy to run the search with.
      request.strategy = value;
    } else if (name == "pre_filter_shard_size") {
      preFilterShardSize = value;
    } else if (commonParameter(name)) {
      // Formatting of this answer, not the search's business (filter_path would strip
      // the fields async search reads from the strategy's response).
    } else {
      if (name == "scroll") scroll = true;
      request.parameters.emplace_back(name, value);
    }
  }
  // Elasticsearch's checks, in its order.
  if (scroll) validation.add("[scroll] queries are not supported");
  if (suggestOnly(body)) validation.add("suggest-only queries are not supported");
  if (keepAliveText) {
    if (auto problem = keepAliveProblem(*request.keepAlive, *keepAliveText, limits); !problem.empty()) {
      validation.add(std::move(problem));
    }
  }
  if (preFilterShardSize && *preFilterShardSize != "1") {
    validation.add("[pre_filter_shard_size] cannot be changed for async search queries");
  }
  validation.throwIfAny();
  if (!request.keepAlive) request.keepAlive = limits.defaultKeepAlive;
  return request;
}

GetOptions parseGetParameters(const QueryParameters& query, const KeepAliveLimits& limits) {
  GetOptions options;
  for (const auto& [name, value] : query) {
    if (name == "wait_for_completion_timeout") {
      const auto wait = parseTimeValue(value, name);
      options.waitForCompletion = wait.count() < 0 ? std::chrono::milliseconds(0) : wait;
    } else if (name == "keep_alive") {
      const auto keepAlive = parseTimeValue(value, name);
      if (keepAlive.count() < 0) continue;  // -1: unchanged, as Elasticsearch
      checkKeepAlive(keepAlive, value, limits);
      options.keepAlive = keepAlive;
    } else if (name == "typed_keys" || name == "rest_total_hits_as_int") {
      boolParameter(name, value);  // the stored response keeps the form it was submitted with
    } else if (!commonParameter(name)) {
      throw AsyncSearchError(400, "illegal_argument_exception",
                             "request [_async_search] contains unrecognized parameter: [" + name + "]");
    }
  }
  return options;
}

std::optional<std::chrono::milliseconds> parseStatusParameters(const QueryParameters& query, const KeepAliveLimits& limits) {
  std::optional<std::chrono::milliseconds> keepAlive;
  for (const auto& [name, value] : query) {
    if (commonParameter(name)) continue;
    if (name != "keep_alive") {
      throw AsyncSearchError(400, "illegal_argument_exception",
                             "request [_async_search/status] contains unrecognized parameter: [" + name + "]");
    }
    const auto parsed = parseTimeValue(value, name);
    if (parsed.count() < 0) continue;
    checkKeepAlive(parsed, value, limits);
    keepAlive = parsed;
  }
  return keepAlive;
}

}  // namespace orrery::async_search
