#include "agg_params.hpp"

#include "date_intervals.hpp"
#include "errors.hpp"
#include "json_params.hpp"

namespace orrery::data {
namespace {

using json = nlohmann::json;

// Rewrites `key` (when present and not null) with what `read` makes of it.
template <class Read>
void rewrite(json& params, const char* key, Read read) {
  if (auto it = params.find(key); it != params.end() && !it->is_null()) *it = read(*it);
}

std::int64_t atLeast(const AggSpec& spec, const char* shownAs, std::int64_t value, std::int64_t min) {
  if (value < min) {
    throw illegalArgument("[" + std::string(shownAs) + "] must be " + (min == 1 ? "greater than 0" : "greater than or equal to " + std::to_string(min)) +
                          ". Found [" + std::to_string(value) + "] in [" + spec.name + "]");
  }
  return value;
}

void scalar(const AggSpec& spec, const char* key) {
  if (auto it = spec.params.find(key); it != spec.params.end() && (it->is_object() || it->is_array())) {
    throw fieldParseError(spec.type, key, "expected a value but found [" + jsonTokenName(*it) + "]");
  }
}

void boolean(AggSpec& spec, const char* key) {
  rewrite(spec.params, key, [&](const json& v) { return readBoolean(v, spec.type, key); });
}

void minDocCount(AggSpec& spec) {
  rewrite(spec.params, "min_doc_count", [&](const json& v) {
    return atLeast(spec, "minDocCount", readLong(v, spec.type, "min_doc_count"), 0);
  });
}

void terms(AggSpec& spec) {
  json& p = spec.params;
  rewrite(p, "size", [&](const json& v) { return atLeast(spec, "size", readInt(v, spec.type, "size"), 1); });
  rewrite(p, "shard_size", [&](const json& v) {
    return atLeast(spec, "shardSize", readInt(v, spec.type, "shard_size"), 1);
  });
  // As Elasticsearch: a shard_size below size is raised to size.
  if (p.contains("shard_size") && p["shard_size"].is_number() && p["shard_size"].get<std::int64_t>() < p.value("size", std::int64_t{10})) {
    p["shard_size"] = p.value("size", std::int64_t{10});
  }
  minDocCount(spec);
  rewrite(p, "shard_min_doc_count", [&](const json& v) {
    return atLeast(spec, "shardMinDocCount", readLong(v, spec.type, "shard_min_doc_count"), 0);
  });
  scalar(spec, "missing");
  if (auto order = p.find("order"); order != p.end()) {
    const auto entry = [&](const json& item) {
      if (!item.is_object()) throw fieldParseError(spec.type, "order", "expected an object such as {\"_count\": \"desc\"} but found [" + jsonTokenName(item) + "]");
      for (const auto& [key, dir] : item.items()) {
        if (!dir.is_string()) throw fieldParseError(spec.type, "order", "the direction of [" + key + "] must be [asc] or [desc]");
      }
    };
    if (order->is_array()) {
      for (const auto& item : *order) entry(item);
    } else {
      entry(*order);
    }
  }
}

void histogram(AggSpec& spec) {
  json& p = spec.params;
  const bool dates = spec.type == "date_histogram";
  if (!dates) {
    rewrite(p, "interval", [&](const json& v) { return readDouble(v, spec.type, "interval"); });
    if (!p.contains("interval") || !p["interval"].is_number() || p["interval"].get<double>() <= 0) {
      throw illegalArgument("[interval] must be >0 for histogram aggregation [" + spec.name + "]");
    }
    rewrite(p, "offset", [&](const json& v) { return readDouble(v, spec.type, "offset"); });
  } else {
    agg::DateRounding::parse(p);  // refuses a bad interval or zone now, not on each shard
  }
  minDocCount(spec);
  boolean(spec, "keyed");
  if (auto bounds = p.find("extended_bounds"); bounds != p.end() && !bounds->is_null()) {
    if (!bounds->is_object()) throw fieldParseError(spec.type, "extended_bounds", "expected an object with [min] and [max]");
    for (const char* key : {"min", "max"}) {
      rewrite(*bounds, key, [&](const json& v) -> json {
        if (dates && v.is_string()) return v;  // date math, evaluated when rendered
        if (dates) return readLong(v, "extended_bounds", key);
        return readDouble(v, "extended_bounds", key);
      });
    }
  }
}

void range(AggSpec& spec) {
  boolean(spec, "keyed");
  const auto ranges = spec.params.find("ranges");
  if (ranges == spec.params.end() || !ranges->is_array()) return;  // refused on the shard with Elasticsearch's message
  for (auto& r : *ranges) {
    if (!r.is_object()) throw fieldParseError("range", "ranges", "expected an object such as {\"from\": 1, \"to\": 5} but found [" + jsonTokenName(r) + "]");
    for (const char* key : {"from", "to"}) {
      if (auto it = r.find(key); it != r.end() && (it->is_object() || it->is_array() || it->is_boolean())) {
        throw fieldParseError("range", key, "expected a number or a date but found [" + jsonTokenName(*it) + "]");
      }
    }
    if (auto key = r.find("key"); key != r.end() && !key->is_string()) {
      throw fieldParseError("range", "key", "expected a string but found [" + jsonTokenName(*key) + "]");
    }
  }
}

void topHits(AggSpec& spec) {
  json& p = spec.params;
  rewrite(p, "size", [&](const json& v) { return atLeast(spec, "size", readInt(v, spec.type, "size"), 0); });
  rewrite(p, "from", [&](const json& v) { return atLeast(spec, "from", readInt(v, spec.type, "from"), 0); });
  if (p.contains("sort")) parseSearchRequest(json{{"sort", p["sort"]}});
  if (p.contains("_source")) parseSearchRequest(json{{"_source", p["_source"]}});
}

void percentiles(AggSpec& spec) {
  json& p = spec.params;
  if (auto it = p.find("percents"); it != p.end() && !it->is_null()) {
    if (!it->is_array()) throw fieldParseError(spec.type, "percents", "expected an array of numbers but found [" + jsonTokenName(*it) + "]");
    for (auto& v : *it) {
      v = readDouble(v, spec.type, "percents");
      if (v.get<double>() < 0 || v.get<double>() > 100) {
        throw illegalArgument("percent must be in [0,100], got [" + v.dump() + "]: [" + spec.name + "]");
      }
    }
  }
  boolean(spec, "keyed");
  if (auto it = p.find("tdigest"); it != p.end() && !it->is_null()) {
    if (!it->is_object()) throw fieldParseError(spec.type, "tdigest", "expected an object such as {\"compression\": 100}");
    rewrite(*it, "compression", [&](const json& v) { return readDouble(v, "tdigest", "compression"); });
  }
  scalar(spec, "missing");
}

}  // namespace

void normalizeAggParams(AggSpec& spec) {
  if (auto field = spec.params.find("field"); field != spec.params.end() && !field->is_string()) {
    throw fieldParseError(spec.type, "field", "expected a string but found [" + jsonTokenName(*field) + "]");
  }
  if (spec.type == "terms") terms(spec);
  else if (spec.type == "histogram" || spec.type == "date_histogram") histogram(spec);
  else if (spec.type == "range") range(spec);
  else if (spec.type == "top_hits") topHits(spec);
  else if (spec.type == "percentiles") percentiles(spec);
  else if (spec.type == "cardinality") {
    rewrite(spec.params, "precision_threshold", [&](const json& v) {
      return atLeast(spec, "precision_threshold", readLong(v, spec.type, "precision_threshold"), 0);
    });
    scalar(spec, "missing");
  } else if (spec.type != "filter" && spec.type != "filters") {
    scalar(spec, "missing");
  }
}

}  // namespace orrery::data
