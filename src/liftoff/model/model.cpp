// Model loading: hyper-parameters, then weight binding; both validate against the file.
#include "liftoff/model/model.h"

namespace liftoff::model {

Result<Model> Model::from_file(formats::ModelFile file) {
  Model m;
  m.file_ = std::make_unique<formats::ModelFile>(std::move(file));
  LIFTOFF_ASSIGN_OR_RETURN(m.hparams_, read_hparams(*m.file_));
  LIFTOFF_ASSIGN_OR_RETURN(m.weights_, bind_weights(*m.file_, m.hparams_));
  return m;
}

}  // namespace liftoff::model
