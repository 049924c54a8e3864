// Percentiles and moments for the load generator's latency metrics.
#include "liftoff/tooling/loadtest_stats.h"

#include <algorithm>
#include <cmath>

#include "liftoff/base/status.h"  // LIFTOFF_CHECK

namespace liftoff::tooling {

double percentile(const std::vector<double>& sorted_values, double p) {
  LIFTOFF_CHECK(!sorted_values.empty() && p >= 0 && p <= 100);
  const double rank = p / 100.0 * static_cast<double>(sorted_values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted_values.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * frac;
}

Distribution summarize(std::vector<double> values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  d.mean = sum / static_cast<double>(values.size());
  double sq = 0;
  for (double v : values) sq += (v - d.mean) * (v - d.mean);
  d.stddev = std::sqrt(sq / static_cast<double>(values.size()));
  d.min = values.front();
  d.max = values.back();
  d.median = percentile(values, 50);
  d.p90 = percentile(values, 90);
  d.p99 = percentile(values, 99);
  return d;
}

}  // namespace liftoff::tooling
