// ServingContext: what every endpoint handler reads. Owned by the Server, shared by all I/O
// threads; everything here is immutable or thread-safe (EngineLoop::submit and stats, the
// tokenizer, the chat template, an atomic flag).
#pragma once

#include <cstdint>
#include <string>

#include "liftoff/engine/engine_loop.h"
#include "liftoff/server/http/session.h"
#include "liftoff/server/openai/generation_params.h"
#include "liftoff/tokenizer/chat_template.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::server::handlers {

struct ServingContext {
  engine::EngineLoop* engine = nullptr;
  const tokenizer::Tokenizer* tokenizer = nullptr;
  const tokenizer::ChatTemplate* chat_template = nullptr;
  std::string model_id;           // the name clients use (--alias, else the model file's stem)
  int64_t model_created = 0;      // Unix seconds, for /v1/models
  openai::ParseLimits limits;     // vocabulary size, largest n
  int32_t embedding_window = 16;  // inputs of one embeddings request queued at once
  const http::ConnectionState* connections = nullptr;  // draining -> /ready says 503
};

}  // namespace liftoff::server::handlers
