// Strategy `local`: searches the embedded engine. Parsing the request and resolving the
// indices run on the host's search pool (never on the caller's I/O thread); then each
// shard runs as its own job on that pool, so shards are searched concurrently, and a full
// search queue fails the shards it refuses with es_rejected_execution_exception (429); after each shard the results so far are reduced and reported as
// progress, and the last one produces the final response.
#pragma once

#include <memory>
#include <orrery/data/search_service.hpp>
#include <orrery/executors.hpp>

#include "engine.hpp"

namespace orrery::data {

class LocalStrategy final : public SearchStrategy {
 public:
  LocalStrategy(std::shared_ptr<Engine> engine, Executors& executors, DepthLimits limits = {})
      : engine_(std::move(engine)), executors_(executors), limits_(limits) {}

  void search(const std::string& indexExpression, const std::string& requestBodyJson, const SearchOptions& options,
              ProgressCallback onProgress, DoneCallback onDone) override;

 private:
  std::shared_ptr<Engine> engine_;
  Executors& executors_;
  DepthLimits limits_;
};

}  // namespace orrery::data
