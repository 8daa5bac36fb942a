// Bounded-memory state of the cardinality and percentiles aggregations, as Elasticsearch
// keeps it, so a field with millions of distinct values cannot exhaust memory:
//
// - cardinality: HyperLogLog++. Exact (a set of 64-bit hashes of the values) up to
//   `precision_threshold` distinct values (default 3,000, at most 40,000), then 2^p
//   one-byte registers, p from the threshold as Elasticsearch derives it (14 for the
//   default, 18 at most: 256 KB), with an error of about 1.04/sqrt(2^p).
// - percentiles: exact (the values, sorted when rendered) up to kExactPercentileValues
//   values, then a merging t-digest of `tdigest.compression` (default 100): at most a few
//   hundred centroids, whatever the number of values.
#pragma once

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "sqlite.hpp"

namespace orrery::data {

// A 64-bit hash of a value, well mixed in every bit (HyperLogLog reads its top bits).
std::uint64_t hashValue(const SqlValue& v);

class CardinalitySketch {
 public:
  static constexpr std::int64_t kDefaultThreshold = 3'000;
  static constexpr std::int64_t kMaxThreshold = 40'000;

  explicit CardinalitySketch(std::int64_t precisionThreshold = kDefaultThreshold);
  void add(std::uint64_t hash);
  void merge(const CardinalitySketch& other);
  std::int64_t estimate() const;
  bool exact() const { return registers_.empty(); }
  bool empty() const { return registers_.empty() && hashes_.empty(); }

 private:
  void addToRegisters(std::uint64_t hash);
  void toRegisters();

  std::int64_t threshold_;
  int precision_;
  std::unordered_set<std::uint64_t> hashes_;  // while exact
  std::vector<std::uint8_t> registers_;      // 2^precision_ once past the threshold
};

class PercentileSketch {
 public:
  static constexpr std::size_t kExactPercentileValues = 10'000;
  static constexpr double kDefaultCompression = 100;

  explicit PercentileSketch(double compression = kDefaultCompression);
  void add(double value);
  void merge(const PercentileSketch& other);
  std::int64_t count() const { return count_; }
  // The value at `percent` (0..100); NaN when empty. Exact values interpolate linearly
  // between the two nearest ranks; the digest between centroids.
  double percentile(double percent);
  bool exact() const { return centroids_.empty() && !digest_; }
  // Values and centroids held: what the sketch costs in memory.
  std::size_t storedValues() const { return values_.size() + centroids_.size(); }

 private:
  struct Centroid {
    double mean;
    double weight;
  };
  void compress();

  double compression_;
  std::int64_t count_ = 0;
  std::vector<double> values_;        // exact values, or the digest's buffer of unmerged ones
  bool digest_ = false;
  std::vector<Centroid> centroids_;   // the digest, ordered by mean
  double min_ = 0, max_ = 0;
};

}  // namespace orrery::data
