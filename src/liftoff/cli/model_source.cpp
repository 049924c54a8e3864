// Default-model resolution and loading for the CLI. Only cli/ reads the environment.
#include "liftoff/cli/model_source.h"

#include <cstdio>
#include <cstdlib>

#include "liftoff/formats/open_model.h"

namespace liftoff::cli {
namespace {

// The trained models in preference order: the F32 TinyStories model reproduces the reference
// outputs exactly and is the most capable model the shared folder has.
constexpr const char* kPreferredModels[] = {
    "gguf/stories260K-f32.gguf",
    "gguf/stories260K-f16.gguf",
    "gguf/stories260K-q8_0.gguf",
    "gguf/aidreams260K-f32.gguf",
};

}  // namespace

Result<std::filesystem::path> resolve_model_path(const std::string& flag_value) {
  if (!flag_value.empty()) return std::filesystem::path(flag_value);
  if (const char* env = std::getenv("LIFTOFF_MODEL"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env);
  }
  const char* dir_env = std::getenv("LIFTOFF_MODELS_DIR");
  std::filesystem::path dir = dir_env != nullptr && *dir_env != '\0' ? dir_env : "../shared/models";
  std::error_code ec;
  for (const char* rel : kPreferredModels) {
    if (std::filesystem::exists(dir / rel, ec)) return dir / rel;
  }
  return Status::not_found("no model given: pass -m MODEL, set LIFTOFF_MODEL, or provide the "
                           "shared models folder at " + dir.string() +
                           " (override with LIFTOFF_MODELS_DIR)");
}

Result<LoadedModel> load_model(const std::string& model_flag, const std::string& tokenizer_flag) {
  LIFTOFF_ASSIGN_OR_RETURN(auto path, resolve_model_path(model_flag));
  LIFTOFF_ASSIGN_OR_RETURN(auto file, formats::open_model_file(path, tokenizer_flag));
  LIFTOFF_ASSIGN_OR_RETURN(auto tok, tokenizer::Tokenizer::from_model_file(file));
  LIFTOFF_ASSIGN_OR_RETURN(auto m, model::Model::from_file(std::move(file)));
  if (static_cast<int64_t>(tok.n_vocab()) != m.hparams().n_vocab) {
    return Status::corrupt_data("tokenizer has " + std::to_string(tok.n_vocab()) +
                                " tokens but the model's embedding has " +
                                std::to_string(m.hparams().n_vocab) + " rows");
  }
  return LoadedModel{std::move(path), std::move(m), std::move(tok)};
}

int report_error(const std::string& command, const Status& status) {
  std::fprintf(stderr, "liftoff %s: %s\n", command.c_str(), status.to_string().c_str());
  return 1;
}

}  // namespace liftoff::cli
