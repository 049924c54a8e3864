// Model: an opened model file with its hyper-parameters and bound weights. Immutable after
// load and shared as `const Model&` by everything that runs it.
#pragma once

#include <filesystem>
#include <memory>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"
#include "liftoff/model/hparams.h"
#include "liftoff/model/weights.h"

namespace liftoff::model {

class Model {
 public:
  // Takes ownership of the file (its mappings back the weights).
  static Result<Model> from_file(formats::ModelFile file);

  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;

  const HParams& hparams() const { return hparams_; }
  const ModelWeights& weights() const { return weights_; }
  const formats::ModelFile& file() const { return *file_; }

 private:
  Model() = default;
  std::unique_ptr<formats::ModelFile> file_;  // heap-held so its address survives moves
  HParams hparams_;
  ModelWeights weights_;
};

}  // namespace liftoff::model
