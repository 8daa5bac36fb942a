// libFuzzer target for _bulk bodies as the engine reads them: the NDJSON lines, each
// document parsed with the depth bound, mapped dynamically and rendered back (the walks a
// stored document meets later: mapping, _source filtering, dump). Any bytes must give
// items or an EngineError naming the line, never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "bulk.hpp"
#include "depth_limits.hpp"
#include "errors.hpp"
#include "mapping.hpp"
#include "search_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orrery::data;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<BulkItem> items;
  try {
    items = parseBulk(text, "fuzz");
  } catch (const EngineError& error) {
    (void)error.body();
    return 0;
  }
  Mapping mapping;
  SourceFilter filter;
  filter.includes = {"a.*", "*.b"};
  filter.excludes = {"a.b.c"};
  for (auto& item : items) {
    if (item.error) {
      (void)item.error->body();
      continue;
    }
    try {
      const auto source = item.op.rawSource.empty() ? item.op.source
                                                    : parseBoundedJson(item.op.rawSource, item.op.maxNestingDepth);
      if (!source.is_object()) continue;
      std::map<std::string, FieldMapping> added;
      (void)mapping.extract(source, item.op.id, added);
      mapping.merge(added);
      (void)filter.apply(source).dump();
    } catch (const EngineError& error) {
      (void)error.body();
    }
  }
  (void)mapping.toJson().dump();
  return 0;
}
