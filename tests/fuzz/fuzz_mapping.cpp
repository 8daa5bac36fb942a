// libFuzzer target for mappings: the bytes as a create-index `mappings` object (explicit
// mapping, index.mapping.depth.limit) and as a document mapped dynamically against it.
// Any bytes must give a mapping or an EngineError (mapper_parsing_exception,
// illegal_argument_exception), never a crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "depth_limits.hpp"
#include "errors.hpp"
#include "mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orrery::data;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json value;
  try {
    value = parseBoundedJson(text, orrery::kMaxJsonNestingDepth);
  } catch (const EngineError& error) {
    (void)error.body();
    return 0;
  }
  if (value.is_discarded()) return 0;
  // A depth limit from the input itself, so small limits are explored too.
  const int depthLimit = size == 0 ? kDefaultMappingDepthLimit : 1 + data[0] % 24;
  Mapping mapping;
  try {
    mapping = Mapping::fromJson(value, depthLimit);
    (void)mapping.toJson().dump();
  } catch (const EngineError& error) {
    (void)error.body();
    mapping = Mapping();
    mapping.setDepthLimit(depthLimit);
  }
  if (!value.is_object()) return 0;
  try {
    std::map<std::string, FieldMapping> added;
    (void)mapping.extract(value, "fuzz", added);
    mapping.merge(added);
    (void)mapping.toJson().dump();
  } catch (const EngineError& error) {
    (void)error.body();
  }
  return 0;
}
