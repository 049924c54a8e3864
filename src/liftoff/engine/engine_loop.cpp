// EngineLoop: the loop thread. Each step: take new requests, drop cancelled ones, schedule,
// apply copy-on-write copies, run one forward pass over every scheduled chunk, then sample,
// detokenize, apply stop strings and send each request what it gained.
#include "liftoff/engine/engine_loop.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "liftoff/base/log.h"
#include "liftoff/engine/active_request.h"
#include "liftoff/engine/scheduler.h"
#include "liftoff/model/forward_pass.h"
#include "liftoff/model/kv_cache.h"

namespace liftoff::engine {

Status EngineConfig::validate() const {
  if (n_ctx < 2) return Status::invalid_argument("engine n_ctx must be at least 2");
  if (max_running < 1) return Status::invalid_argument("engine max_running must be at least 1");
  if (max_batch_tokens < 1) {
    return Status::invalid_argument("engine max_batch_tokens must be at least 1");
  }
  if (block_size < 1 || block_size > 1024) {
    return Status::invalid_argument("engine block_size must be in [1, 1024]");
  }
  const int64_t blocks_per_seq = (n_ctx + block_size - 1) / block_size;
  if (kv_blocks != 0 && kv_blocks < blocks_per_seq) {
    return Status::invalid_argument("engine kv_blocks " + std::to_string(kv_blocks) +
                                    " cannot hold one full context (" +
                                    std::to_string(blocks_per_seq) + " blocks of " +
                                    std::to_string(block_size) + " tokens)");
  }
  if (max_waiting < 1) return Status::invalid_argument("engine max_waiting must be at least 1");
  if (max_n < 1) return Status::invalid_argument("engine max_n must be at least 1");
  return Status::ok();
}

class EngineLoop::Impl {
 public:
  Impl(const model::Model& model, const tokenizer::Tokenizer& tok, base::ThreadPool& pool,
       const EngineConfig& config, model::KvCache cache)
      : model_(model),
        tok_(tok),
        config_(config),
        cache_(std::move(cache)),
        block_pool_(cache_.shape().n_blocks, config.block_size),
        blocks_(block_pool_, config.prefix_caching),
        scheduler_(SchedulerConfig{config.max_running, config.max_batch_tokens}, blocks_),
        forward_(model, pool, config.max_batch_tokens, config.n_ctx),
        n_vocab_(static_cast<size_t>(model.hparams().n_vocab)) {
    publish_stats();
  }

  void start() {
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
  }

  ~Impl() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

  Result<RequestHandle> submit(std::unique_ptr<ActiveRequest> req) {
    req->record.queued = std::chrono::steady_clock::now();
    auto flag = req->cancelled;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status::unavailable("the server is shutting down");
      if (static_cast<int64_t>(incoming_.size()) + waiting_ >= config_.max_waiting) {
        return Status::resource_exhausted("the server is at capacity: " +
                                          std::to_string(config_.max_waiting) +
                                          " requests are already waiting");
      }
      incoming_.push_back(std::move(req));
    }
    wake_.notify_one();
    return RequestHandle(std::move(flag));
  }

  EngineStats stats() const {
    std::lock_guard lock(stats_mu_);
    return stats_;
  }

  const EngineConfig& config() const { return config_; }
  size_t n_vocab() const { return n_vocab_; }
  int64_t n_embd() const { return model_.hparams().n_embd; }
  const tokenizer::Tokenizer& tokenizer() const { return tok_; }

 private:
  void run(std::stop_token st);
  void take_incoming(std::stop_token st);
  void drop_cancelled();
  void step();
  void fork_choices(ActiveRequest& req);
  void advance_choice(Choice& choice, std::span<const float> logits);
  void finish_choice(Choice& choice, FinishReason reason);
  void finish_embedding(ActiveRequest& req);
  void fail_all(const Status& status);
  void send_updates();
  void publish_stats();

  const model::Model& model_;
  const tokenizer::Tokenizer& tok_;
  const EngineConfig config_;
  model::KvCache cache_;
  kv::BlockPool block_pool_;
  kv::BlockManager blocks_;
  Scheduler scheduler_;
  model::ForwardPass forward_;
  const size_t n_vocab_;

  std::mutex mu_;
  std::condition_variable_any wake_;
  std::vector<std::unique_ptr<ActiveRequest>> incoming_;  // guarded by mu_
  int64_t waiting_ = 0;                                   // guarded by mu_: scheduler's queue
  bool stopping_ = false;                                 // guarded by mu_

  // Loop-thread state.
  std::vector<std::unique_ptr<ActiveRequest>> active_;
  std::vector<float> logits_scratch_;
  int64_t next_seq_id_ = 0;
  EngineStats totals_;

  mutable std::mutex stats_mu_;
  EngineStats stats_;  // guarded by stats_mu_
  std::jthread thread_;
};

void EngineLoop::Impl::run(std::stop_token st) {
  while (!st.stop_requested()) {
    take_incoming(st);
    if (st.stop_requested()) break;
    drop_cancelled();
    if (!scheduler_.idle()) step();
    // Stats first: a client that sees its request finish also sees its blocks freed.
    publish_stats();
    send_updates();
  }
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& req : incoming_) active_.push_back(std::move(req));
    incoming_.clear();
  }
  fail_all(Status::unavailable("the server is shutting down"));
}

void EngineLoop::Impl::take_incoming(std::stop_token st) {
  std::vector<std::unique_ptr<ActiveRequest>> fresh;
  {
    std::unique_lock lock(mu_);
    if (scheduler_.idle() && incoming_.empty()) {
      // Nothing to do until a request arrives; an idle loop has nothing to cancel either.
      wake_.wait(lock, st, [&] { return !incoming_.empty(); });
    }
    fresh.swap(incoming_);
    // They wait in the scheduler from now on: count them until the next stats snapshot does,
    // so submit() cannot admit more than max_waiting while a step runs.
    waiting_ += static_cast<int64_t>(fresh.size());
  }
  for (auto& req : fresh) {
    Choice& first = *req->choices.front();
    first.id = next_seq_id_++;
    first.arrival = first.id;
    first.slots = req->n_choices;
    scheduler_.add_waiting(&first);
    active_.push_back(std::move(req));
  }
}

void EngineLoop::Impl::drop_cancelled() {
  std::erase_if(active_, [&](const std::unique_ptr<ActiveRequest>& req) {
    if (!req->cancelled->load(std::memory_order_relaxed)) return false;
    for (auto& c : req->choices) {
      if (!c->finished) scheduler_.remove(c.get());
    }
    base::logger("engine")->debug("request.cancelled req={}", req->record.id);
    ++totals_.requests_finished;
    return true;
  });
}

void EngineLoop::Impl::step() {
  SchedulerOutput out = scheduler_.schedule();
  if (out.chunks.empty()) {
    // Only if the head of the queue can never fit, which submit() rules out: fail loudly
    // rather than spin.
    fail_all(Status::internal("the KV cache cannot hold the next queued request"));
    return;
  }
  for (const kv::BlockCopy& c : out.copies) cache_.copy_block(c.src, c.dst, c.n_slots);
  for (Sequence* s : out.admitted) {
    auto& choice = static_cast<Choice&>(*s);
    if (choice.index == 0) choice.request->record.cached_tokens = choice.cached_tokens;
  }

  model::Batch batch;
  batch.sequences.reserve(out.chunks.size());
  for (const ScheduledChunk& c : out.chunks) {
    const auto& choice = static_cast<const Choice&>(*c.seq);
    const bool reaches_end =
        c.seq->n_computed + c.n_tokens == static_cast<int64_t>(c.seq->tokens.size());
    batch.sequences.push_back(model::SequenceStep{
        std::span<const int32_t>(c.seq->tokens)
            .subspan(static_cast<size_t>(c.seq->n_computed), static_cast<size_t>(c.n_tokens)),
        c.seq->n_computed, c.seq->blocks.table,
        choice.request->is_embedding ? model::Outputs::kHidden
        : reaches_end                ? model::Outputs::kLast
                                     : model::Outputs::kNone});
  }
  auto logits = forward_.run(batch, cache_);
  ++totals_.steps;
  if (!logits.ok()) {
    base::logger("engine")->error("engine.forward_failed error=\"{}\"", logits.status().message());
    fail_all(Status::internal("forward pass failed: " + logits.status().message()));
    return;
  }
  const size_t d = static_cast<size_t>(model_.hparams().n_embd);
  const std::span<const float> hidden = forward_.output_hidden();
  size_t logit_row = 0;
  size_t hidden_row = 0;
  for (size_t i = 0; i < out.chunks.size(); ++i) {
    auto& choice = static_cast<Choice&>(*out.chunks[i].seq);
    ActiveRequest& req = *choice.request;
    const int64_t n = out.chunks[i].n_tokens;
    const int64_t from = choice.n_computed;
    choice.n_computed += n;
    totals_.prompt_tokens += std::max<int64_t>(0, std::min(choice.n_computed, req.prompt_len) - from);
    blocks_.commit(choice.blocks, choice.tokens, choice.n_computed);
    switch (batch.sequences[i].outputs) {
      case model::Outputs::kHidden:
        for (int64_t t = 0; t < n; ++t, ++hidden_row) {
          const float* h = hidden.data() + hidden_row * d;
          for (size_t j = 0; j < d; ++j) req.embedding_sum[j] += h[j];
        }
        if (choice.n_pending() == 0) finish_embedding(req);
        break;
      case model::Outputs::kLast: {
        ++hidden_row;
        const auto row = logits->subspan(logit_row++ * n_vocab_, n_vocab_);
        if (!req.forked && req.n_choices > 1) {
          fork_choices(req);
          for (auto& c : req.choices) advance_choice(*c, row);
        } else {
          advance_choice(choice, row);
        }
        break;
      }
      case model::Outputs::kNone:
      case model::Outputs::kAll:
        break;
    }
  }
}

void EngineLoop::Impl::fork_choices(ActiveRequest& req) {
  // The prompt is computed once: every other choice starts from the same blocks, and the first
  // write into the shared last block copies it (BlockManager::prepare).
  Choice& first = *req.choices.front();
  for (int32_t i = 1; i < req.n_choices; ++i) {
    SamplingParams params = req.sampling;
    params.seed += static_cast<uint64_t>(i);
    auto c = std::make_unique<Choice>(req, i, params, n_vocab_, tok_, req.stops);
    c->id = next_seq_id_++;
    c->arrival = first.arrival;
    c->tokens = first.tokens;
    c->n_computed = first.n_computed;
    c->blocks = blocks_.fork(first.blocks);
    c->ever_admitted = true;
    scheduler_.add_running(c.get());
    req.choices.push_back(std::move(c));
  }
  first.slots = 1;
  req.forked = true;
}

void EngineLoop::Impl::advance_choice(Choice& choice, std::span<const float> logits) {
  ActiveRequest& req = *choice.request;
  logits_scratch_.assign(logits.begin(), logits.end());
  SampledToken s = choice.sampler.sample(logits_scratch_, choice.tokens);
  ++choice.n_generated;
  ++req.record.completion_tokens;
  ++totals_.generated_tokens;
  if (req.record.first_token == SteadyTime{}) req.record.first_token = std::chrono::steady_clock::now();
  if (!req.ignore_eos && tok_.is_end_of_generation(s.token)) {
    finish_choice(choice, FinishReason::kStop);
    return;
  }
  choice.tokens.push_back(s.token);
  const std::string piece = choice.decoder.push(s.token);
  ReleasedText r = choice.stop.push(s, piece);
  choice.delta.text += r.text;
  for (auto& t : r.tokens) choice.delta.tokens.push_back(std::move(t));
  choice.has_delta = choice.has_delta || !r.text.empty() || !r.tokens.empty();
  req.progressed = req.progressed || choice.has_delta;
  if (r.stopped) {
    finish_choice(choice, FinishReason::kStop);
  } else if (choice.n_generated == req.max_tokens ||
             static_cast<int64_t>(choice.tokens.size()) >= config_.n_ctx) {
    finish_choice(choice, FinishReason::kLength);
  }
}

void EngineLoop::Impl::finish_choice(Choice& choice, FinishReason reason) {
  ActiveRequest& req = *choice.request;
  if (!choice.stop.stopped()) {
    // Text still held back (an incomplete UTF-8 tail, a partial stop match) is released now.
    ReleasedText rest = choice.stop.finish(choice.decoder.flush());
    if (rest.stopped) reason = FinishReason::kStop;
    choice.delta.text += rest.text;
    for (auto& t : rest.tokens) choice.delta.tokens.push_back(std::move(t));
  }
  choice.delta.finish = reason;
  choice.has_delta = true;
  choice.finished = true;
  scheduler_.remove(&choice);
  if (choice.index == 0) req.record.finish = reason;
  req.progressed = true;
  if (++req.n_finished == req.n_choices) {
    req.done = true;
    ++totals_.requests_finished;
  }
}

void EngineLoop::Impl::finish_embedding(ActiveRequest& req) {
  Choice& choice = *req.choices.front();
  choice.finished = true;
  scheduler_.remove(&choice);
  req.n_finished = 1;
  req.done = true;
  req.progressed = true;
  ++totals_.requests_finished;
}

void EngineLoop::Impl::fail_all(const Status& status) {
  for (auto& req : active_) {
    for (auto& c : req->choices) {
      if (!c->finished) scheduler_.remove(c.get());
    }
    RequestUpdate update;
    update.done = true;
    update.error = status;
    req->record.finished = std::chrono::steady_clock::now();
    update.record = req->record;
    if (!req->cancelled->load(std::memory_order_relaxed)) req->sink(std::move(update));
    ++totals_.requests_finished;
  }
  active_.clear();
}

void EngineLoop::Impl::send_updates() {
  for (auto& req : active_) {
    if (!req->progressed) continue;
    req->progressed = false;
    RequestUpdate update;
    for (auto& c : req->choices) {
      if (!c->has_delta) continue;
      c->delta.index = c->index;
      update.choices.push_back(std::move(c->delta));
      c->delta = ChoiceDelta{};
      c->has_delta = false;
    }
    if (req->done) {
      update.done = true;
      req->record.finished = std::chrono::steady_clock::now();
      update.record = req->record;
      if (req->is_embedding) {
        // Mean pooling over all input tokens, then L2 normalisation.
        const double n = static_cast<double>(req->prompt_len);
        double norm2 = 0;
        for (double& v : req->embedding_sum) {
          v /= n;
          norm2 += v * v;
        }
        const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
        update.embedding.reserve(req->embedding_sum.size());
        for (double v : req->embedding_sum) update.embedding.push_back(static_cast<float>(v * inv));
      }
    }
    req->sink(std::move(update));
  }
  std::erase_if(active_, [](const std::unique_ptr<ActiveRequest>& r) { return r->done; });
}

void EngineLoop::Impl::publish_stats() {
  EngineStats s = totals_;
  s.running = scheduler_.n_running();
  s.waiting = scheduler_.n_waiting();
  s.kv_blocks_total = block_pool_.n_blocks();
  s.kv_blocks_used = block_pool_.n_used();
  s.kv_blocks_cached = block_pool_.n_cached();
  s.prefix_cache_queries = scheduler_.prefix_queried();
  s.prefix_cache_hits = scheduler_.prefix_hits();
  s.preemptions = scheduler_.preemptions();
  {
    std::lock_guard lock(mu_);
    waiting_ = s.waiting;
  }
  std::lock_guard lock(stats_mu_);
  stats_ = s;
}

// ---- EngineLoop ----

namespace {

// Rejected at submit() with a clear message, before the request reaches the loop.
Status check_token_ids(std::span<const int32_t> tokens, size_t n_vocab) {
  for (int32_t t : tokens) {
    if (t < 0 || static_cast<size_t>(t) >= n_vocab) {
      return Status::invalid_argument("token id " + std::to_string(t) +
                                      " is outside the vocabulary [0, " +
                                      std::to_string(n_vocab) + ")");
    }
  }
  return Status::ok();
}

}  // namespace

EngineLoop::EngineLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EngineLoop::~EngineLoop() = default;

Result<std::unique_ptr<EngineLoop>> EngineLoop::start(const model::Model& model,
                                                      const tokenizer::Tokenizer& tokenizer,
                                                      base::ThreadPool& pool,
                                                      const EngineConfig& config) {
  LIFTOFF_RETURN_IF_ERROR(config.validate());
  if (static_cast<int64_t>(tokenizer.n_vocab()) != model.hparams().n_vocab) {
    return Status::invalid_argument("the tokenizer has " + std::to_string(tokenizer.n_vocab()) +
                                    " tokens but the model " +
                                    std::to_string(model.hparams().n_vocab));
  }
  EngineConfig c = config;
  const int64_t blocks_per_seq = (c.n_ctx + c.block_size - 1) / c.block_size;
  if (c.kv_blocks == 0) c.kv_blocks = blocks_per_seq * c.max_running;
  const auto& hp = model.hparams();
  LIFTOFF_ASSIGN_OR_RETURN(model::KvCache cache,
                           model::KvCache::create({hp.n_layer, hp.kv_dim(), c.block_size, c.kv_blocks}));
  base::logger("engine")->info("engine.start n_ctx={} max_running={} max_batch_tokens={} kv_blocks={} "
                         "block_size={} kv_mib={:.1f} prefix_caching={}",
                         c.n_ctx, c.max_running, c.max_batch_tokens, c.kv_blocks, c.block_size,
                         static_cast<double>(cache.bytes()) / (1 << 20), c.prefix_caching);
  auto impl = std::make_unique<Impl>(model, tokenizer, pool, c, std::move(cache));
  impl->start();
  return std::unique_ptr<EngineLoop>(new EngineLoop(std::move(impl)));
}

Result<RequestHandle> EngineLoop::submit(GenerationRequest request, RequestRecord record,
                                         UpdateSink sink) {
  const EngineConfig& c = impl_->config();
  const int64_t n_prompt = static_cast<int64_t>(request.prompt.size());
  if (n_prompt == 0) return Status::invalid_argument("the prompt has no tokens");
  LIFTOFF_RETURN_IF_ERROR(check_token_ids(request.prompt, impl_->n_vocab()));
  if (n_prompt >= c.n_ctx) {
    return Status::invalid_argument(
        "this model's maximum context length is " + std::to_string(c.n_ctx) +
        " tokens, but the prompt has " + std::to_string(n_prompt) +
        " tokens, leaving no room for the completion; shorten the prompt");
  }
  if (request.max_tokens == 0 || request.max_tokens < -1) {
    return Status::invalid_argument("max_tokens must be at least 1");
  }
  if (request.max_tokens > 0 && n_prompt + request.max_tokens > c.n_ctx) {
    return Status::invalid_argument(
        "this model's maximum context length is " + std::to_string(c.n_ctx) + " tokens, but " +
        std::to_string(n_prompt + request.max_tokens) + " were requested (" +
        std::to_string(n_prompt) + " in the prompt, " + std::to_string(request.max_tokens) +
        " for the completion); reduce the prompt or max_tokens");
  }
  if (request.n < 1 || request.n > c.max_n) {
    return Status::invalid_argument("n must be in [1, " + std::to_string(c.max_n) + "]");
  }
  LIFTOFF_RETURN_IF_ERROR(request.sampling.validate(impl_->n_vocab()));

  auto req = std::make_unique<ActiveRequest>();
  req->record = std::move(record);
  req->record.prompt_tokens = n_prompt;
  req->sink = std::move(sink);
  req->prompt_len = n_prompt;
  req->max_tokens = request.max_tokens;
  req->ignore_eos = request.ignore_eos;
  req->n_choices = request.n;
  req->sampling = request.sampling;
  req->stops = std::move(request.stop);
  auto first = std::make_unique<Choice>(*req, 0, req->sampling, impl_->n_vocab(),
                                        impl_->tokenizer(), req->stops);
  first->tokens = std::move(request.prompt);
  req->choices.push_back(std::move(first));
  return impl_->submit(std::move(req));
}

Result<RequestHandle> EngineLoop::submit(EmbeddingRequest request, RequestRecord record,
                                         UpdateSink sink) {
  const EngineConfig& c = impl_->config();
  const int64_t n = static_cast<int64_t>(request.tokens.size());
  if (n == 0) return Status::invalid_argument("the input has no tokens");
  LIFTOFF_RETURN_IF_ERROR(check_token_ids(request.tokens, impl_->n_vocab()));
  if (n > c.n_ctx) {
    return Status::invalid_argument("this model's maximum context length is " +
                                    std::to_string(c.n_ctx) + " tokens, but the input has " +
                                    std::to_string(n) + " tokens");
  }
  auto req = std::make_unique<ActiveRequest>();
  req->record = std::move(record);
  req->record.prompt_tokens = n;
  req->sink = std::move(sink);
  req->is_embedding = true;
  req->prompt_len = n;
  req->embedding_sum.assign(static_cast<size_t>(impl_->n_embd()), 0.0);
  auto only = std::make_unique<Choice>(*req, 0, req->sampling, impl_->n_vocab(),
                                       impl_->tokenizer(), std::vector<std::string>{});
  only->tokens = std::move(request.tokens);
  req->choices.push_back(std::move(only));
  return impl_->submit(std::move(req));
}

EngineStats EngineLoop::stats() const { return impl_->stats(); }
const EngineConfig& EngineLoop::config() const { return impl_->config(); }

}  // namespace liftoff::engine
