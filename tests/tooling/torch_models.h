// Tiny random Llama / Qwen2 checkpoints in Hugging Face layouts with PyTorch reference logits,
// made once per test process by tests/tooling/make_torch_models.py under /usr/bin/python3
// (python3-torch, installed by scripts/install-deps.sh), and the liftoff side of the comparison.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "liftoff/base/thread_pool.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/model/forward_pass.h"
#include "test_data.h"

namespace liftoff::testing {

// The generated variants, made on first use and removed when the test process exits.
struct TorchModels {
  std::filesystem::path dir;  // "" if they could not be made
  std::string skip_reason;    // set when python3 or torch is missing (a skip, not a failure)
  ~TorchModels() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

inline TorchModels make_torch_models() {
  TorchModels m;
  const char* env = std::getenv("LIFTOFF_TEST_PYTHON");
  const std::string python = env != nullptr && *env != '\0' ? env : "/usr/bin/python3";
  if (std::system((python + " -c 'import torch' > /dev/null 2>&1").c_str()) != 0) {
    m.skip_reason =
        python + " cannot import torch (install python3-torch: scripts/install-deps.sh)";
    return m;
  }
  const auto out = std::filesystem::temp_directory_path() /
                   ("liftoff_torch_models_" + std::to_string(::getpid()));
  std::filesystem::remove_all(out);
  const std::string cmd =
      python + " " + LIFTOFF_TESTS_SOURCE_DIR + "/tooling/make_torch_models.py " + out.string();
  if (std::system(cmd.c_str()) != 0) {
    ADD_FAILURE() << "failed: " << cmd;  // a failing generator is a failure, not a skip
    std::error_code ec;
    std::filesystem::remove_all(out, ec);
    return m;
  }
  m.dir = out;
  return m;
}

// The folder holding the variants (llama_st, qwen2_pt, ...), or "" with `why` set when python3
// or torch is missing.
inline const std::filesystem::path& torch_models_dir(std::string* why) {
  static const TorchModels models = make_torch_models();
  if (why != nullptr) *why = models.skip_reason;
  return models.dir;
}

// Skips the test (naming the reason) if torch is missing; fails it if the generator failed.
#define LIFTOFF_REQUIRE_TORCH_MODELS(dir)                                                      \
  std::string torch_skip_reason_;                                                              \
  const std::filesystem::path dir = ::liftoff::testing::torch_models_dir(&torch_skip_reason_); \
  if (dir.empty() && !torch_skip_reason_.empty()) GTEST_SKIP() << torch_skip_reason_;          \
  ASSERT_FALSE(dir.empty())

struct LogitComparison {
  double max_abs_error = 0;      // over every position and vocabulary entry
  double max_abs_reference = 0;  // the largest reference logit, for scale
  size_t argmax_mismatches = 0;  // positions whose top token differs
  size_t n_positions = 0;
  size_t n_values = 0;
};

// Runs `gguf` over the reference tokens of `variant` (all positions) and compares the logits
// with the PyTorch ones. Records a failure and returns n_values == 0 if anything cannot run.
inline LogitComparison compare_with_reference(const std::filesystem::path& gguf,
                                              const std::filesystem::path& variant) {
  LogitComparison c;
  bool ok = false;
  const std::string ref_text = read_file(variant / "reference.json", &ok);
  EXPECT_TRUE(ok) << variant;
  const std::string logits_bytes = read_file(variant / "logits.f32", &ok);
  EXPECT_TRUE(ok) << variant;
  // reference.json is {"tokens": [..], "n_vocab": V}; parse the ints by hand.
  std::vector<int32_t> tokens;
  const size_t open = ref_text.find('['), close = ref_text.find(']');
  for (size_t at = open + 1; at < close;) {
    size_t used = 0;
    tokens.push_back(std::stoi(ref_text.substr(at), &used));
    at += used;
    while (at < close && (ref_text[at] == ',' || ref_text[at] == ' ')) ++at;
  }
  const int64_t n_vocab = std::stoll(ref_text.substr(ref_text.find("\"n_vocab\":") + 10));
  const size_t n = tokens.size() * static_cast<size_t>(n_vocab);
  if (logits_bytes.size() != n * sizeof(float)) {
    ADD_FAILURE() << "logits.f32 has " << logits_bytes.size() << " bytes, expected " << n * 4;
    return c;
  }
  std::vector<float> ref(n);
  std::memcpy(ref.data(), logits_bytes.data(), logits_bytes.size());

  auto file = formats::open_model_file(gguf);
  if (!file.ok()) {
    ADD_FAILURE() << file.status().to_string();
    return c;
  }
  auto model = model::Model::from_file(std::move(*file));
  if (!model.ok()) {
    ADD_FAILURE() << model.status().to_string();
    return c;
  }
  EXPECT_EQ(model->hparams().n_vocab, n_vocab);
  auto cache = model::KvCache::create({model->hparams().n_layer, model->hparams().kv_dim(), 16, 4});
  if (!cache.ok()) {
    ADD_FAILURE() << cache.status().to_string();
    return c;
  }
  base::ThreadPool pool(2);
  model::ForwardPass fp(*model, pool, 64, 64);
  const std::vector<int32_t> blocks = {0, 1, 2, 3};
  model::Batch batch;
  batch.sequences.push_back({tokens, 0, blocks, model::Outputs::kAll});
  auto logits = fp.run(batch, *cache);
  if (!logits.ok()) {
    ADD_FAILURE() << logits.status().to_string();
    return c;
  }
  if (logits->size() != n) {
    ADD_FAILURE() << "liftoff returned " << logits->size() << " logits, expected " << n;
    return c;
  }
  for (size_t t = 0; t < tokens.size(); ++t) {
    size_t best_ref = 0, best_got = 0;
    for (size_t v = 0; v < static_cast<size_t>(n_vocab); ++v) {
      const size_t i = t * n_vocab + v;
      c.max_abs_error = std::max(c.max_abs_error, std::abs(double((*logits)[i]) - ref[i]));
      c.max_abs_reference = std::max(c.max_abs_reference, std::abs(double(ref[i])));
      if (ref[i] > ref[t * n_vocab + best_ref]) best_ref = v;
      if ((*logits)[i] > (*logits)[t * n_vocab + best_got]) best_got = v;
    }
    c.argmax_mismatches += best_ref != best_got;
  }
  c.n_positions = tokens.size();
  c.n_values = n;
  return c;
}

}  // namespace liftoff::testing
