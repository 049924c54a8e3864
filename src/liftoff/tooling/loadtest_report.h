// How `liftoff loadtest` prints its result: a human table, or one JSON object whose field names
// follow vLLM's benchmark_serving (request_throughput, median_ttft_ms, p99_e2el_ms, ...) so
// scripts written for one read the other.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "liftoff/tooling/loadtest.h"

namespace liftoff::tooling {

nlohmann::json loadtest_json(const LoadtestOptions& options, const LoadtestResult& result);

// Multi-line text ending in '\n'.
std::string loadtest_table(const LoadtestOptions& options, const LoadtestResult& result);

}  // namespace liftoff::tooling
