#include "agg_sketches.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

namespace orrery::data {
namespace {

// MurmurHash3's finaliser: every input bit reaches every output bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Elasticsearch's HyperLogLogPlusPlus.precisionFromThreshold: enough registers for the
// threshold's hash table (load factor 0.75, 4 bytes an entry), between 4 and 18 bits.
int precisionFromThreshold(std::int64_t threshold) {
  const auto entries = static_cast<std::uint64_t>(std::ceil(static_cast<double>(threshold) / 0.75));
  const int bits = std::max(1, static_cast<int>(std::bit_width(entries * 4)));
  return std::clamp(bits, 4, 18);
}

}  // namespace

std::uint64_t hashValue(const SqlValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return mix(static_cast<std::uint64_t>(*i) ^ 0x9e3779b97f4a7c15ULL);
  if (const auto* d = std::get_if<double>(&v)) {
    std::uint64_t bits = 0;
    const double normal = *d == 0 ? 0.0 : *d;  // -0.0 and 0.0 are one value
    std::memcpy(&bits, &normal, sizeof bits);
    return mix(bits ^ 0x517cc1b727220a95ULL);
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a, then mixed
    for (unsigned char c : *s) h = (h ^ c) * 1099511628211ULL;
    return mix(h);
  }
  return mix(0);
}

CardinalitySketch::CardinalitySketch(std::int64_t precisionThreshold)
    : threshold_(std::clamp<std::int64_t>(precisionThreshold, 0, kMaxThreshold)),
      precision_(precisionFromThreshold(threshold_)) {}

void CardinalitySketch::add(std::uint64_t hash) {
  if (!registers_.empty()) {
    addToRegisters(hash);
    return;
  }
  hashes_.insert(hash);
  if (static_cast<std::int64_t>(hashes_.size()) > threshold_) toRegisters();
}

void CardinalitySketch::addToRegisters(std::uint64_t hash) {
  const std::size_t index = hash >> (64 - precision_);
  const std::uint64_t rest = hash << precision_;
  const auto rank = static_cast<std::uint8_t>(rest == 0 ? 64 - precision_ + 1 : std::countl_zero(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void CardinalitySketch::toRegisters() {
  registers_.assign(std::size_t{1} << precision_, 0);
  for (auto hash : hashes_) addToRegisters(hash);
  hashes_.clear();
  hashes_.rehash(0);
}

void CardinalitySketch::merge(const CardinalitySketch& other) {
  if (other.registers_.empty()) {
    for (auto hash : other.hashes_) add(hash);
    return;
  }
  if (registers_.empty() && hashes_.empty()) {
    *this = other;
    return;
  }
  if (other.precision_ != precision_) {
    // Cannot happen within one request (its shards share the aggregation's threshold);
    // were it to, the larger sketch stands for both rather than mixing registers.
    if (other.estimate() > estimate()) *this = other;
    return;
  }
  if (registers_.empty()) toRegisters();
  for (std::size_t i = 0; i < registers_.size(); ++i) registers_[i] = std::max(registers_[i], other.registers_[i]);
}

std::int64_t CardinalitySketch::estimate() const {
  if (registers_.empty()) return static_cast<std::int64_t>(hashes_.size());
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  std::size_t zeros = 0;
  for (auto r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  double e = alpha * m * m / sum;
  // Small ranges: linear counting over the empty registers is the better estimate.
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return std::llround(e);
}

PercentileSketch::PercentileSketch(double compression) : compression_(std::clamp(compression, 20.0, 1000.0)) {}

void PercentileSketch::add(double value) {
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  values_.push_back(value);
  if (!digest_ && values_.size() > kExactPercentileValues) digest_ = true;
  if (digest_ && values_.size() >= static_cast<std::size_t>(compression_) * 10) compress();
}

void PercentileSketch::merge(const PercentileSketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  if (other.digest_ || values_.size() > kExactPercentileValues) digest_ = true;
  if (!other.centroids_.empty()) {
    centroids_.insert(centroids_.end(), other.centroids_.begin(), other.centroids_.end());
    std::sort(centroids_.begin(), centroids_.end(), [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
  }
  if (digest_) compress();
}

void PercentileSketch::compress() {
  // The merging t-digest: every centroid and buffered value in order of mean, merged
  // left to right while the merged centroid stays within the k1 scale's bound (one unit
  // of k = compression/2π · asin(2q − 1)): small centroids at the tails, large ones in the
  // middle, about `compression` of them in all.
  std::vector<Centroid> all = std::move(centroids_);
  all.reserve(all.size() + values_.size());
  for (double v : values_) all.push_back({v, 1});
  values_.clear();
  std::sort(all.begin(), all.end(), [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
  double total = 0;
  for (const auto& c : all) total += c.weight;
  const auto k = [&](double q) { return compression_ / (2 * std::numbers::pi) * std::asin(2 * std::clamp(q, 0.0, 1.0) - 1); };
  std::vector<Centroid> merged;
  double before = 0;  // weight left of the current centroid
  for (const auto& c : all) {
    if (!merged.empty()) {
      Centroid& last = merged.back();
      const double q0 = before / total;
      const double q1 = (before + last.weight + c.weight) / total;
      if (k(q1) - k(q0) <= 1) {
        last.mean += (c.mean - last.mean) * c.weight / (last.weight + c.weight);
        last.weight += c.weight;
        continue;
      }
      before += last.weight;
    }
    merged.push_back(c);
  }
  centroids_ = std::move(merged);
}

double PercentileSketch::percentile(double percent) {
  if (count_ == 0) return std::nan("");
  const double q = std::clamp(percent / 100.0, 0.0, 1.0);
  if (!digest_) {
    std::sort(values_.begin(), values_.end());
    const double rank = q * static_cast<double>(values_.size() - 1);
    const auto low = static_cast<std::size_t>(std::floor(rank));
    const auto high = std::min(values_.size() - 1, low + 1);
    return values_[low] + (values_[high] - values_[low]) * (rank - static_cast<double>(low));
  }
  if (!values_.empty()) compress();
  if (centroids_.size() == 1) return centroids_.front().mean;
  // Each centroid's weight sits around its mean: interpolate between the midpoints of
  // neighbouring centroids' weights, and towards min and max at the ends.
  const double target = q * static_cast<double>(count_);
  double cumulative = 0;
  double previousMid = 0, previousMean = min_;
  for (const auto& c : centroids_) {
    const double mid = cumulative + c.weight / 2;
    if (target < mid) {
      if (mid == previousMid) return c.mean;
      return previousMean + (c.mean - previousMean) * (target - previousMid) / (mid - previousMid);
    }
    previousMid = mid;
    previousMean = c.mean;
    cumulative += c.weight;
  }
  const double end = static_cast<double>(count_);
  if (end == previousMid) return max_;
  return previousMean + (max_ - previousMean) * (target - previousMid) / (end - previousMid);
}

}  // namespace orrery::data
