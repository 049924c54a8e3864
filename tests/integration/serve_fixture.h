// Shared pieces of the `liftoff serve` integration suites: a server per suite, started once.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "server_process.h"

namespace liftoff::testing {

inline constexpr const char* kModelId = "stories260K-f32";
// Greedy continuation of "Once upon a time" (../shared/reference/greedy-stories260K-f32.json).
inline constexpr const char* kGreedyContinuation =
    ", there was a little girl named Lily. She loved to play outside in the park. One day, she "
    "saw";

// A suite whose tests share one server started with Args::args().
template <typename Args>
class ServeSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ServerProcess>(Args::args()); }
  static void TearDownTestSuite() {
    // Graceful shutdown is part of the contract: SIGTERM -> exit 0.
    EXPECT_EQ(server_->stop(), 0) << server_->log();
    server_.reset();
  }
  void SetUp() override { ASSERT_NE(server_->port(), 0) << "server did not start"; }

  static uint16_t port() { return server_->port(); }
  static ServerProcess& server() { return *server_; }

  static inline std::unique_ptr<ServerProcess> server_;
};

}  // namespace liftoff::testing
