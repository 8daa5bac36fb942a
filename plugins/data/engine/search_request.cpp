#include "search_request.hpp"

#include <charconv>
#include <map>
#include <set>

#include "agg_params.hpp"
#include "engine.hpp"
#include "errors.hpp"
#include "json_params.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

std::string tokenName(const json& v) { return jsonTokenName(v); }

// from, size: Java ints, not negative.
std::int64_t nonNegative(const std::string& key, const json& value) {
  if (!value.is_number() && !value.is_string()) {
    throw parsingError("[" + key + "] must be an integer, found [" + tokenName(value) + "]");
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    double number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || end != text.data() + text.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      throw parsingError("[" + key + "] must be an integer, found [" + text + "]");
    }
  }
  const std::int64_t n = readInt(value, "search", key);
  if (n < 0) throw illegalArgument("[" + key + "] parameter cannot be negative, found [" + std::to_string(n) + "]");
  return n;
}

// A URI parameter that must be a non-negative int (?from=, ?size=).
std::int64_t uriNonNegative(const std::string& key, const std::string& text) {
  std::int32_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw illegalArgument("Failed to parse int parameter [" + key + "] with value [" + text + "]");
  }
  if (n < 0) throw illegalArgument("[" + key + "] parameter cannot be negative, found [" + text + "]");
  return n;
}

SortSpec sortField(const std::string& name, const json* options) {
  SortSpec spec;
  if (name == "_score") {
    spec.kind = SortSpec::Kind::score;
    spec.descending = true;
  } else if (name == "_doc") {
    spec.kind = SortSpec::Kind::doc;
    spec.descending = false;
  } else {
    spec.kind = SortSpec::Kind::field;
    spec.field = name;
    spec.descending = false;
  }
  if (!options) return spec;
  const auto order = [&](const json& value) {
    if (value == "asc") spec.descending = false;
    else if (value == "desc") spec.descending = true;
    else throw parsingError("[sort] order must be [asc] or [desc], found [" + (value.is_string() ? value.get<std::string>() : value.dump()) + "]");
  };
  if (options->is_string()) {
    order(*options);
  } else if (options->is_object()) {
    for (const auto& [key, value] : options->items()) {
      if (key == "order") order(value);
      else if (key == "missing") spec.missing = value;
      else if (key == "unmapped_type" || key == "mode" || key == "format" || key == "numeric_type") continue;
      else throw parsingError("[field_sort] unknown field [" + key + "]");
    }
  } else {
    throw parsingError("[sort] malformed sort for field [" + name + "]");
  }
  return spec;
}

std::vector<SortSpec> parseSort(const json& value) {
  std::vector<SortSpec> out;
  const auto one = [&](const json& item) {
    if (item.is_string()) {
      out.push_back(sortField(item.get<std::string>(), nullptr));
    } else if (item.is_object() && item.size() == 1) {
      out.push_back(sortField(item.begin().key(), &item.begin().value()));
    } else {
      throw parsingError("[sort] malformed sort element, expected a field name or {field: options}");
    }
  };
  if (value.is_array()) {
    for (const auto& item : value) one(item);
  } else if (value.is_object()) {
    for (const auto& [key, options] : value.items()) out.push_back(sortField(key, &options));
  } else {
    one(value);
  }
  return out;
}

SourceFilter parseSource(const json& value) {
  SourceFilter filter;
  const auto list = [](const json& v, const char* key) {
    std::vector<std::string> out;
    if (v.is_string()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_array()) {
      for (const auto& item : v) {
        if (!item.is_string()) throw parsingError(std::string("[_source] ") + key + " must be strings");
        out.push_back(item.get<std::string>());
      }
    } else {
      throw parsingError(std::string("[_source] ") + key + " must be a string or an array of strings");
    }
    return out;
  };
  if (value.is_boolean()) {
    filter.enabled = value.get<bool>();
  } else if (value.is_string() || value.is_array()) {
    filter.includes = list(value, "includes");
  } else if (value.is_object()) {
    for (const auto& [key, v] : value.items()) {
      if (key == "includes" || key == "include") filter.includes = list(v, "includes");
      else if (key == "excludes" || key == "exclude") filter.excludes = list(v, "excludes");
      else throw parsingError("Unknown key for a " + tokenName(v) + " in [" + key + "].");
    }
  } else {
    throw parsingError("[_source] must be a boolean, a string, an array or an object");
  }
  return filter;
}

std::int64_t parseTrackTotalHits(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? -1 : 0;
  if (value.is_number()) {
    const std::int64_t n = readInt(value, "search", "track_total_hits");
    if (n == -1) return -1;
    if (n < 0) throw illegalArgument("[track_total_hits] parameter must be positive or equals to -1, got " + std::to_string(n));
    return n;
  }
  if (value.is_string()) {
    if (value == "true") return -1;
    if (value == "false") return 0;
    return parseTrackTotalHits(json(readInt(value, "search", "track_total_hits")));
  }
  throw parsingError("[track_total_hits] must be a boolean or an integer");
}

const std::set<std::string, std::less<>> kAggTypes = {
    "terms", "date_histogram", "histogram", "range", "filters", "filter", "avg", "sum", "min", "max",
    "value_count", "cardinality", "stats", "percentiles", "top_hits"};

// Whether `path` (dotted) is selected by `pattern` (dotted, `*` wildcards), as a path or
// as a parent of it.
bool pathMatches(const std::string& pattern, const std::string& path, bool allowParent) {
  if (wildcardMatch(pattern, path)) return true;
  if (allowParent && pattern.size() > path.size() && pattern.compare(0, path.size(), path) == 0 &&
      pattern[path.size()] == '.') {
    return true;
  }
  return allowParent && pattern.find('*') != std::string::npos &&
         wildcardMatch(pattern.substr(0, std::min(pattern.size(), pattern.find('*'))) + "*", path);
}

json filterObject(const json& object, const std::string& prefix, const SourceFilter& filter) {
  json out = json::object();
  for (const auto& [key, value] : object.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    bool excluded = false;
    for (const auto& pattern : filter.excludes) excluded = excluded || wildcardMatch(pattern, path);
    if (excluded) continue;
    bool fullyIncluded = filter.includes.empty();
    bool partly = false;
    for (const auto& pattern : filter.includes) {
      fullyIncluded = fullyIncluded || wildcardMatch(pattern, path) || path.starts_with(pattern + ".") ||
                      wildcardMatch(pattern, path + ".");
      partly = partly || pathMatches(pattern, path, true);
    }
    if (value.is_object()) {
      if (fullyIncluded && filter.excludes.empty()) {
        out[key] = value;
      } else if (fullyIncluded || partly) {
        SourceFilter inner = filter;
        if (fullyIncluded) inner.includes.clear();
        json child = filterObject(value, path, inner);
        if (!child.empty() || fullyIncluded) out[key] = child;
      }
    } else if (fullyIncluded) {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace

json SourceFilter::apply(const json& source) const {
  if (includes.empty() && excludes.empty()) return source;
  return filterObject(source, "", *this);
}

bool SearchRequest::needsScores() const {
  if (trackScores || minScore) return true;
  if (sort.empty()) return true;
  for (const auto& s : sort) {
    if (s.kind == SortSpec::Kind::score) return true;
  }
  return false;
}

std::optional<std::chrono::nanoseconds> parseTimeValue(const json& value, const std::string& setting) {
  const std::string text = readText(value, "search", setting);
  const auto fail = [&](const char* why) {
    return EngineError(400, "parse_exception",
                       "failed to parse setting [" + setting + "] with value [" + text + "] as a time value: " + why);
  };
  if (text == "-1") return std::nullopt;  // Elasticsearch's "no timeout"
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.starts_with('-')) throw fail("negative durations are not supported");
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  static const std::map<std::string, std::int64_t, std::less<>> kUnits = {
      {"nanos", 1}, {"micros", 1'000}, {"ms", 1'000'000}, {"s", 1'000'000'000}, {"m", 60'000'000'000},
      {"h", 3'600'000'000'000}, {"d", 86'400'000'000'000}};
  const auto unit = kUnits.find(std::string_view(text).substr(digits));
  if (digits == 0 || unit == kUnits.end()) throw fail("unit is missing or unrecognized");
  std::int64_t count = 0, nanos = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, count);
  if (ec != std::errc() || __builtin_mul_overflow(count, unit->second, &nanos)) throw fail("the value is too large");
  return std::chrono::nanoseconds(nanos);
}

EngineError resultWindowTooLarge(std::int64_t window, std::int64_t limit) {
  return illegalArgument("Result window is too large, from + size must be less than or equal to: [" +
                         std::to_string(limit) + "] but was [" + std::to_string(window) +
                         "]. See the scroll api for a more efficient way to request large data sets. This limit can be "
                         "set by changing the [index.max_result_window] index level setting.");
}

std::vector<AggSpec> parseAggregations(const json& aggs, const DepthLimits& limits, int depth) {
  // Aggregations run recursively per level (and multiply buckets per level).
  if (depth > limits.aggregations) {
    throw illegalArgument("The nested depth of the aggregations exceeds the maximum nested depth for aggregations set in [" +
                          std::string(kAggregationDepthKey) + "] (" + std::to_string(limits.aggregations) + ")");
  }
  if (!aggs.is_object()) throw parsingError("Found two aggregation type definitions in [aggs]: expected an object");
  std::vector<AggSpec> out;
  for (const auto& [name, body] : aggs.items()) {
    if (!body.is_object()) {
      throw parsingError("Expected [START_OBJECT] under [" + name + "], but got a [" + tokenName(body) + "] in [" + name + "]");
    }
    AggSpec spec;
    spec.name = name;
    for (const auto& [key, value] : body.items()) {
      if (key == "aggs" || key == "aggregations") {
        spec.subs = parseAggregations(value, limits, depth + 1);
      } else if (key == "meta") {
        continue;
      } else if (kAggTypes.count(key)) {
        if (!spec.type.empty()) {
          throw parsingError("Found two aggregation type definitions in [" + name + "]: [" + spec.type + "] and [" + key + "]");
        }
        if (!value.is_object()) throw parsingError("[" + key + "] aggregation [" + name + "] must be an object");
        spec.type = key;
        spec.params = value;
      } else {
        throw parsingError("Unknown aggregation type [" + key + "]");
      }
    }
    if (spec.type.empty()) throw parsingError("Missing definition for aggregation [" + name + "]");
    normalizeAggParams(spec);
    if (spec.type == "filters") {
      const auto it = spec.params.find("filters");
      if (it == spec.params.end()) throw parsingError("[filters] aggregation [" + name + "] requires [filters]");
      if (it->is_object()) {
        for (const auto& [key, q] : it->items()) spec.filters.emplace_back(key, parseQuery(q, limits.query));
      } else if (it->is_array()) {
        spec.keyedFilters = false;
        for (std::size_t i = 0; i < it->size(); ++i) spec.filters.emplace_back(std::to_string(i), parseQuery((*it)[i], limits.query));
      } else {
        throw parsingError("[filters] aggregation [" + name + "]: [filters] must be an object or an array");
      }
    } else if (spec.type == "filter") {
      spec.filters.emplace_back("", parseQuery(spec.params, limits.query));
    } else if (spec.type != "top_hits") {
      if (!spec.params.contains("field") || !spec.params["field"].is_string()) {
        throw illegalArgument("Required one of fields [field, script], but none were specified. (aggregation [" + name + "])");
      }
    }
    out.push_back(std::move(spec));
  }
  return out;
}

SearchRequest parseSearchRequest(const json& body, const DepthLimits& limits) {
  SearchRequest request;
  if (body.is_null()) return request;
  if (!body.is_object()) throw parsingError("request body must be an object");
  for (const auto& [key, value] : body.items()) {
    if (key == "query") {
      request.query = parseQuery(value, limits.query);
    } else if (key == "from") {
      request.from = nonNegative(key, value);
    } else if (key == "size") {
      request.size = nonNegative(key, value);
    } else if (key == "sort") {
      request.sort = parseSort(value);
    } else if (key == "_source") {
      request.source = parseSource(value);
    } else if (key == "track_total_hits") {
      request.trackTotalHits = parseTrackTotalHits(value);
    } else if (key == "search_after") {
      if (!value.is_array()) throw parsingError("[search_after] must be an array");
      for (const auto& item : value) {
        if (item.is_object() || item.is_array()) {
          throw parsingError("Unknown key for a " + tokenName(item) + " in [search_after]: its values must be strings, numbers, booleans or null");
        }
      }
      request.searchAfter = value;
    } else if (key == "aggs" || key == "aggregations") {
      request.aggs = parseAggregations(value, limits);
    } else if (key == "track_scores") {
      if (!value.is_boolean()) throw parsingError("[track_scores] must be a boolean");
      request.trackScores = value.get<bool>();
    } else if (key == "min_score") {
      if (!value.is_number()) throw parsingError("[min_score] must be a number");
      request.minScore = value.get<double>();
    } else if (key == "timeout") {
      request.timeout = parseTimeValue(value, "timeout");
    } else if (key == "version" || key == "seq_no_primary_term" || key == "stored_fields" ||
               key == "explain" || key == "profile") {
      continue;  // accepted; their defaults are what this engine does
    } else {
      throw parsingError("Unknown key for a " + tokenName(value) + " in [" + key + "].");
    }
  }
  if (request.searchAfter) {
    if (request.from > 0) {
      throw illegalArgument("[from] parameter must be set to 0 when [search_after] is used");
    }
    const std::size_t expected = request.sort.empty() ? 1 : request.sort.size();
    if (request.searchAfter->size() != expected) {
      throw illegalArgument("search_after has " + std::to_string(request.searchAfter->size()) +
                            " value(s) but sort has " + std::to_string(expected) + ".");
    }
  }
  return request;
}

void applySearchParameters(SearchRequest& request, const std::vector<std::pair<std::string, std::string>>& params,
                           const DepthLimits& limits) {
  std::string q, df;
  bool defaultAnd = false;
  for (const auto& [key, value] : params) {
    if (key == "q") q = value;
    else if (key == "df") df = value;
    else if (key == "default_operator") defaultAnd = value == "AND" || value == "and";
    else if (key == "from") request.from = uriNonNegative(key, value);
    else if (key == "size") request.size = uriNonNegative(key, value);
    else if (key == "batched_reduce_size") {
      const auto size = uriNonNegative(key, value);
      if (size < 2) throw illegalArgument("batchedReduceSize must be >= 2");
      request.batchedReduceSize = static_cast<int>(size);
    }
    else if (key == "track_total_hits") request.trackTotalHits = parseTrackTotalHits(json(value));
    else if (key == "timeout") request.timeout = parseTimeValue(json(value), "timeout");
    else if (key == "_source") {
      if (value == "true" || value == "false") request.source.enabled = value == "true";
      else request.source.includes.push_back(value);
    } else if (key == "_source_includes") {
      request.source.includes.push_back(value);
    } else if (key == "_source_excludes") {
      request.source.excludes.push_back(value);
    } else if (key == "sort") {
      std::size_t start = 0;
      request.sort.clear();
      while (start <= value.size()) {
        auto comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        const std::string item = value.substr(start, comma - start);
        const auto colon = item.rfind(':');
        if (colon == std::string::npos) request.sort.push_back(sortField(item, nullptr));
        else {
          const json order = item.substr(colon + 1);
          request.sort.push_back(sortField(item.substr(0, colon), &order));
        }
        start = comma + 1;
      }
    }
  }
  if (!q.empty()) {
    const std::vector<std::pair<std::string, double>> fields = {{df.empty() ? "*" : df, 1.0}};
    QueryStringOptions options;
    options.maxDepth = limits.query - 1;  // q= is the top-level query
    request.query = parseQueryString(q, fields, defaultAnd, options);
  }
}

}  // namespace orrery::data
