// Summary statistics of one latency metric over the requests of a load test: mean, standard
// deviation and percentiles, computed the way numpy (and so vLLM's benchmark_serving) does.
#pragma once

#include <cstddef>
#include <vector>

namespace liftoff::tooling {

struct Distribution {
  size_t count = 0;  // all other fields are 0 when count is 0
  double mean = 0;
  double stddev = 0;  // population standard deviation, as numpy.std
  double min = 0;
  double median = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
};

// The p-th percentile (0 <= p <= 100) of sorted, non-empty `sorted_values`, linearly interpolated
// between the two nearest ranks (numpy.percentile's default "linear" method).
double percentile(const std::vector<double>& sorted_values, double p);

// Sorts a copy of `values` and summarises it.
Distribution summarize(std::vector<double> values);

}  // namespace liftoff::tooling
