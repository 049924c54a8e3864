// A GGUF's model and tokenizer loaded for a tooling test. A file that does not load adds a test
// failure naming it and leaves both pointers empty, so callers ASSERT on `model` before use.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "liftoff/formats/open_model.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::testing {

struct LoadedModel {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<tokenizer::Tokenizer> tok;
};

inline LoadedModel load_model(const std::filesystem::path& path) {
  LoadedModel l;
  auto file = formats::open_model_file(path);
  EXPECT_TRUE(file.ok()) << path << ": " << file.status().to_string();
  if (!file.ok()) return l;
  auto tok = tokenizer::Tokenizer::from_model_file(*file);
  EXPECT_TRUE(tok.ok()) << path << ": " << tok.status().to_string();
  auto m = model::Model::from_file(std::move(*file));
  EXPECT_TRUE(m.ok()) << path << ": " << m.status().to_string();
  if (!m.ok() || !tok.ok()) return l;
  l.model = std::make_unique<model::Model>(std::move(*m));
  l.tok = std::make_unique<tokenizer::Tokenizer>(std::move(*tok));
  return l;
}

}  // namespace liftoff::testing
