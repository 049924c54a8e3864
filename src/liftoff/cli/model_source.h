// Which model a subcommand runs and how it is opened: -m, else $LIFTOFF_MODEL, else the best
// model found in the shared models folder ($LIFTOFF_MODELS_DIR, default ../shared/models).
#pragma once

#include <filesystem>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::cli {

Result<std::filesystem::path> resolve_model_path(const std::string& flag_value);

struct LoadedModel {
  std::filesystem::path path;
  model::Model model;
  tokenizer::Tokenizer tokenizer;
};

// Opens the file (GGUF or llama2.c checkpoint + tokenizer), binds weights, builds the tokenizer.
Result<LoadedModel> load_model(const std::string& model_flag, const std::string& tokenizer_flag);

// Prints "liftoff <command>: <status>" to stderr and returns the exit code 1.
int report_error(const std::string& command, const Status& status);

}  // namespace liftoff::cli
