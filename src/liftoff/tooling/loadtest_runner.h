// Drives the load: C simulated clients, each with one keep-alive connection, sending requests
// back to back until every request body was sent. All I/O runs on the calling thread through one
// Asio io_context, so timestamps come from one clock read on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tooling/loadtest_record.h"
#include "liftoff/tooling/loadtest_url.h"

namespace liftoff::tooling {

struct RunnerConfig {
  std::string api_key;  // sent as "Authorization: Bearer ..." unless empty
  bool stream = false;  // parse responses as SSE streams (the bodies must ask for stream too)
  bool chat = false;    // read chat deltas instead of text completions
  int64_t concurrency = 1;
  std::chrono::duration<double> timeout{600.0};  // per request, connect to last byte
};

struct RunResult {
  std::vector<RequestRecord> records;  // records[i] belongs to bodies[i]
  double duration_s = 0;               // first request started .. last request finished
};

class LoadRunner {
 public:
  // Resolves the URL's host once; per-request connection errors come later, in the records.
  static Result<std::unique_ptr<LoadRunner>> create(const ServerUrl& url, RunnerConfig config);
  ~LoadRunner();
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  // GET {prefix}/models and the first model id listed: for servers that serve one model and
  // expect its name in every request. Errors name the URL and what went wrong.
  Result<std::string> fetch_first_model_id();

  // POSTs every body to {prefix}{suffix} with at most `concurrency` requests in flight. A failed
  // request is recorded and the client goes on with the next body; nothing aborts the run.
  // Connections stay open between calls, so a warm-up run leaves them established.
  RunResult run(const std::string& suffix, std::span<const std::string> bodies);

  // TCP connections the clients opened so far, over all runs (the model listing's is not counted).
  int64_t n_connects() const;

 private:
  struct Impl;
  explicit LoadRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace liftoff::tooling
