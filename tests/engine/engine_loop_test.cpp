// EngineLoop on a real model (stories260K): outputs match the single-sequence generator, are
// identical alone or among 15 others, survive preemption and prefix reuse, and n choices,
// stop strings, cancellation, embeddings and shutdown behave.
#include "liftoff/engine/engine_loop.h"

#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "liftoff/engine/generate.h"
#include "liftoff/formats/open_model.h"
#include "test_data.h"

namespace liftoff::engine {
namespace {

struct Loaded {
  model::Model model;
  tokenizer::Tokenizer tok;
};

Loaded& stories() {
  static Loaded* loaded = [] {
    auto file = formats::open_model_file(testing::models_dir() / "gguf" / "stories260K-f32.gguf");
    EXPECT_TRUE(file.ok()) << file.status().message();
    auto tok = tokenizer::Tokenizer::from_model_file(*file);
    auto model = model::Model::from_file(std::move(*file));
    return new Loaded{std::move(*model), std::move(*tok)};
  }();
  return *loaded;
}

// Collects a request's updates; wait() blocks until the last one.
class Collector {
 public:
  UpdateSink sink() {
    return [this](RequestUpdate&& u) {
      std::lock_guard lock(mu_);
      for (auto& c : u.choices) {
        if (texts_.size() <= static_cast<size_t>(c.index)) {
          texts_.resize(c.index + 1);
          tokens_.resize(c.index + 1);
          finish_.resize(c.index + 1);
        }
        texts_[c.index] += c.text;
        for (auto& t : c.tokens) tokens_[c.index].push_back(t.token);
        if (c.finish) finish_[c.index] = c.finish;
      }
      ++n_updates_;
      if (u.done) {
        done_ = true;
        error_ = u.error;
        record_ = u.record;
        embedding_ = u.embedding;
        cv_.notify_all();
      }
    };
  }
  void wait() {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(60), [&] { return done_; }))
        << "request did not finish";
  }
  std::string text(int i = 0) const { return texts_.at(i); }
  std::vector<int32_t> tokens(int i = 0) const { return tokens_.at(i); }
  std::optional<FinishReason> finish(int i = 0) const { return finish_.at(i); }
  size_t n_choices() const { return texts_.size(); }
  int n_updates() const { return n_updates_; }
  const Status& error() const { return error_; }
  const RequestRecord& record() const { return record_; }
  const std::vector<float>& embedding() const { return embedding_; }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> texts_;
  std::vector<std::vector<int32_t>> tokens_;
  std::vector<std::optional<FinishReason>> finish_;
  int n_updates_ = 0;
  bool done_ = false;
  Status error_;
  RequestRecord record_;
  std::vector<float> embedding_;
};

SamplingParams greedy() {
  SamplingParams p;
  p.temperature = 0;
  return p;
}

GenerationRequest request(const std::string& prompt, int64_t max_tokens,
                          SamplingParams sampling = greedy()) {
  GenerationRequest r;
  r.prompt = stories().tok.encode(prompt, true, false);
  r.max_tokens = max_tokens;
  r.sampling = sampling;
  return r;
}

std::unique_ptr<EngineLoop> start(EngineConfig config) {
  static base::ThreadPool pool(2);
  auto loop = EngineLoop::start(stories().model, stories().tok, pool, config);
  EXPECT_TRUE(loop.ok()) << loop.status().message();
  return std::move(*loop);
}

EngineConfig small_config() {
  EngineConfig c;
  c.n_ctx = 256;
  c.max_running = 16;
  c.max_batch_tokens = 128;
  return c;
}

const char* kPrompts[] = {
    "Once upon a time", "The little dog", "Lily and Tom went to the park", "One day, a bird",
    "There was a big tree", "Sam had a red ball", "The sun was hot", "Mom said",
    "A cat sat on the mat", "The boy ran", "In the forest", "She liked to sing",
    "The car was fast", "He found a box", "They played all day", "It was raining",
};

std::string run_alone(const std::string& prompt, int64_t n, SamplingParams s = greedy()) {
  auto loop = start(small_config());
  Collector c;
  EXPECT_TRUE(loop->submit(request(prompt, n, s), {}, c.sink()).ok());
  c.wait();
  return c.text();
}

TEST(EngineLoop, GreedyOutputMatchesTheSingleSequenceGenerator) {
  base::ThreadPool pool(2);
  auto runner = SequenceRunner::create(stories().model, pool, 256, 64);
  ASSERT_TRUE(runner.ok());
  GenerateOptions opt;
  opt.max_tokens = 40;
  opt.sampling = greedy();
  const auto prompt = stories().tok.encode(kPrompts[0], true, false);
  auto expected = generate(*runner, stories().tok, prompt, opt);
  ASSERT_TRUE(expected.ok());

  auto loop = start(small_config());
  Collector c;
  ASSERT_TRUE(loop->submit(request(kPrompts[0], 40), {}, c.sink()).ok());
  c.wait();
  EXPECT_TRUE(c.error().is_ok());
  EXPECT_EQ(c.text(), expected->text);
  EXPECT_EQ(c.record().prompt_tokens, static_cast<int64_t>(prompt.size()));
  EXPECT_EQ(c.record().completion_tokens, static_cast<int64_t>(expected->tokens.size()) +
                                              (expected->finish == FinishReason::kStop ? 1 : 0));
  EXPECT_EQ(c.finish(), expected->finish);
  EXPECT_GE(c.record().first_token, c.record().queued);
  EXPECT_GE(c.record().finished, c.record().first_token);
}

TEST(EngineLoop, OutputIsIdenticalAloneOrAmongFifteenOthers) {
  std::vector<std::string> alone;
  for (const char* p : kPrompts) alone.push_back(run_alone(p, 48));
  auto loop = start(small_config());
  std::vector<Collector> cs(16);
  for (size_t i = 0; i < 16; ++i) {
    ASSERT_TRUE(loop->submit(request(kPrompts[i], 48), {}, cs[i].sink()).ok());
  }
  for (size_t i = 0; i < 16; ++i) {
    cs[i].wait();
    EXPECT_EQ(cs[i].text(), alone[i]) << kPrompts[i];
  }
  EXPECT_GE(loop->stats().steps, 48);
}

TEST(EngineLoop, PreemptionUnderKvPressureDoesNotChangeOutputs) {
  EngineConfig config = small_config();
  config.block_size = 8;
  config.kv_blocks = 32;  // 256 slots for 8 sequences growing to ~90 tokens: must preempt
  std::vector<std::string> alone;
  for (int i = 0; i < 8; ++i) alone.push_back(run_alone(kPrompts[i], 80));
  auto loop = start(config);
  std::vector<Collector> cs(8);
  for (int i = 0; i < 8; ++i) {
    GenerationRequest r = request(kPrompts[i], 80);
    r.ignore_eos = false;
    ASSERT_TRUE(loop->submit(std::move(r), {}, cs[i].sink()).ok());
  }
  for (int i = 0; i < 8; ++i) {
    cs[i].wait();
    EXPECT_EQ(cs[i].text(), alone[i]) << kPrompts[i];
  }
  EXPECT_GT(loop->stats().preemptions, 0);
  EXPECT_EQ(loop->stats().kv_blocks_used, 0);
}

TEST(EngineLoop, SharedPrefixIsReusedAndGivesTheSameOutput) {
  auto loop = start(small_config());
  const std::string prompt =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
      "sunshine with her friends. One day";
  Collector first, second;
  ASSERT_TRUE(loop->submit(request(prompt, 20), {}, first.sink()).ok());
  first.wait();
  ASSERT_TRUE(loop->submit(request(prompt, 20), {}, second.sink()).ok());
  second.wait();
  EXPECT_EQ(first.record().cached_tokens, 0);
  EXPECT_GT(second.record().cached_tokens, 16);
  EXPECT_EQ(first.text(), second.text());
  EXPECT_GT(loop->stats().prefix_cache_hits, 0);
}

TEST(EngineLoop, ChoicesShareThePromptAndSampleIndependently) {
  auto loop = start(small_config());
  SamplingParams s;
  s.temperature = 1.0f;
  s.top_k = 0;
  s.top_p = 1.0f;
  s.min_p = 0.0f;
  s.seed = 1234;
  GenerationRequest r = request(kPrompts[2], 30, s);
  r.n = 3;
  Collector c;
  ASSERT_TRUE(loop->submit(std::move(r), {}, c.sink()).ok());
  c.wait();
  ASSERT_EQ(c.n_choices(), 3u);
  EXPECT_NE(c.text(0), c.text(1));
  // Choice 0 samples with the request's seed: the same as n = 1.
  EXPECT_EQ(c.text(0), run_alone(kPrompts[2], 30, s));
  // Choice 1 samples with seed + 1.
  s.seed += 1;
  EXPECT_EQ(c.text(1), run_alone(kPrompts[2], 30, s));
  EXPECT_EQ(loop->stats().kv_blocks_used, 0);
}

TEST(EngineLoop, StopStringEndsTheChoiceAndNeverAppears) {
  const std::string full = run_alone(kPrompts[0], 40);
  ASSERT_GT(full.size(), 20u);
  const std::string stop = full.substr(10, 4);
  auto loop = start(small_config());
  GenerationRequest r = request(kPrompts[0], 40);
  r.stop = {stop};
  Collector c;
  ASSERT_TRUE(loop->submit(std::move(r), {}, c.sink()).ok());
  c.wait();
  EXPECT_EQ(c.text(), full.substr(0, full.find(stop)));
  EXPECT_EQ(c.finish(), FinishReason::kStop);
}

TEST(EngineLoop, CancelFreesTheRequestsBlocks) {
  auto loop = start(small_config());
  GenerationRequest r = request(kPrompts[1], 200);
  r.ignore_eos = true;
  Collector c;
  auto handle = loop->submit(std::move(r), {}, c.sink());
  ASSERT_TRUE(handle.ok());
  while (loop->stats().generated_tokens < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  handle->cancel();
  for (int i = 0; i < 5000 && (loop->stats().running > 0 || loop->stats().kv_blocks_used > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(loop->stats().running, 0);
  EXPECT_EQ(loop->stats().kv_blocks_used, 0);
  EXPECT_LT(loop->stats().generated_tokens, 200);
  // The loop still serves.
  EXPECT_EQ(run_alone(kPrompts[3], 10), run_alone(kPrompts[3], 10));
}

TEST(EngineLoop, RequestsBeyondMaxWaitingAreRefusedEvenMidStep) {
  EngineConfig config = small_config();
  config.max_running = 1;
  config.max_waiting = 2;
  auto loop = start(config);
  GenerationRequest long_one = request(kPrompts[0], 200);
  long_one.ignore_eos = true;
  Collector running;
  auto handle = loop->submit(std::move(long_one), {}, running.sink());
  ASSERT_TRUE(handle.ok());
  while (loop->stats().running < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Two may wait, whether the loop has already moved them into its scheduler or not.
  Collector a, b, c;
  auto first = loop->submit(request(kPrompts[1], 5), {}, a.sink());
  auto second = loop->submit(request(kPrompts[2], 5), {}, b.sink());
  auto third = loop->submit(request(kPrompts[3], 5), {}, c.sink());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  handle->cancel();
  a.wait();
  b.wait();
  EXPECT_FALSE(a.text().empty());
  EXPECT_FALSE(b.text().empty());
}

TEST(EngineLoop, EmbeddingsAreUnitLengthAndIndependentOfChunking) {
  auto embed = [](int64_t batch_tokens) {
    EngineConfig config = small_config();
    config.max_batch_tokens = batch_tokens;
    auto loop = start(config);
    EmbeddingRequest r;
    r.tokens = stories().tok.encode("The little dog ran to the park to play with a ball", true, false);
    Collector c;
    EXPECT_TRUE(loop->submit(std::move(r), {}, c.sink()).ok());
    c.wait();
    EXPECT_TRUE(c.error().is_ok());
    return c.embedding();
  };
  const auto a = embed(128), b = embed(3);
  ASSERT_EQ(a.size(), static_cast<size_t>(stories().model.hparams().n_embd));
  double norm = 0;
  for (float v : a) norm += v * v;
  EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-5);
  // Equal up to float summation order: each batch size picks its own kernels.
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5) << i;
}

TEST(EngineLoop, RejectsWhatCannotRun) {
  auto loop = start(small_config());
  Collector c;
  GenerationRequest empty;
  EXPECT_EQ(loop->submit(std::move(empty), {}, c.sink()).status().code(), StatusCode::kInvalidArgument);
  GenerationRequest too_long;
  too_long.prompt.assign(256, 5);
  auto s = loop->submit(std::move(too_long), {}, c.sink()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("256"), std::string::npos) << s.message();
  GenerationRequest too_much = request(kPrompts[0], 1000);
  s = loop->submit(std::move(too_much), {}, c.sink()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("1000"), std::string::npos) << s.message();
  GenerationRequest bad_token = request(kPrompts[0], 5);
  bad_token.prompt.push_back(1 << 20);
  EXPECT_EQ(loop->submit(std::move(bad_token), {}, c.sink()).status().code(), StatusCode::kInvalidArgument);
  GenerationRequest bad_n = request(kPrompts[0], 5);
  bad_n.n = 0;
  EXPECT_EQ(loop->submit(std::move(bad_n), {}, c.sink()).status().code(), StatusCode::kInvalidArgument);
  GenerationRequest bad_temp = request(kPrompts[0], 5);
  bad_temp.sampling.temperature = -1;
  EXPECT_EQ(loop->submit(std::move(bad_temp), {}, c.sink()).status().code(), StatusCode::kInvalidArgument);
  EngineConfig bad = small_config();
  bad.kv_blocks = 3;
  base::ThreadPool pool(1);
  EXPECT_FALSE(EngineLoop::start(stories().model, stories().tok, pool, bad).ok());
}

TEST(EngineLoop, ShutdownEndsRequestsInFlightWithUnavailable) {
  Collector c;
  {
    auto loop = start(small_config());
    GenerationRequest r = request(kPrompts[4], 250 - 10);
    r.ignore_eos = true;
    ASSERT_TRUE(loop->submit(std::move(r), {}, c.sink()).ok());
    while (loop->stats().generated_tokens < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  c.wait();
  EXPECT_EQ(c.error().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace liftoff::engine
