// POST /v1/embeddings: one engine EmbeddingRequest per input, at most ctx.embedding_window of
// them queued at once (a 2048-input request must not fill the engine's queue by itself).
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "liftoff/base/log.h"
#include "liftoff/server/handlers/generation_call.h"
#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"
#include "liftoff/server/openai/embedding_format.h"
#include "liftoff/server/openai/embedding_request.h"

namespace liftoff::server::handlers {
namespace {

// All state is touched on the exchange's strand (engine updates are posted there).
class EmbeddingCall : public std::enable_shared_from_this<EmbeddingCall> {
 public:
  EmbeddingCall(const ServingContext& ctx, http::Exchange exchange,
                std::vector<std::vector<int32_t>> inputs, bool base64, std::string caller)
      : ctx_(ctx),
        exchange_(std::move(exchange)),
        inputs_(std::move(inputs)),
        base64_(base64),
        caller_(std::move(caller)),
        results_(inputs_.size()),
        handles_(inputs_.size()),
        done_(inputs_.size(), false) {}

  void start() {
    auto self = shared_from_this();
    exchange_.on_client_gone([self] { self->abandon(); });
    submit_more();
  }

 private:
  void submit_more() {
    const size_t window = static_cast<size_t>(std::max(ctx_.embedding_window, 1));
    while (!ended_ && next_ < inputs_.size() && in_flight_ < window) {
      const size_t i = next_++;
      engine::EmbeddingRequest request;
      request.tokens = std::move(inputs_[i]);
      engine::RequestRecord record;
      record.id = inputs_.size() == 1 ? exchange_.request_id()
                                      : exchange_.request_id() + "/" + std::to_string(i);
      record.caller = caller_;
      record.route = "embeddings";
      record.received = exchange_.received();
      auto self = shared_from_this();
      auto executor = exchange_.executor();
      // Runs on the engine thread: hand the update to the connection's strand.
      engine::UpdateSink sink = [self, i, executor](engine::RequestUpdate&& update) {
        boost::asio::post(executor, [self, i, update = std::move(update)]() mutable {
          self->on_update(i, std::move(update));
        });
      };
      auto handle = ctx_.engine->submit(std::move(request), std::move(record), std::move(sink));
      if (!handle.ok()) return fail(handle.status());
      handles_[i] = *handle;
      ++in_flight_;
    }
  }

  void on_update(size_t i, engine::RequestUpdate update) {
    if (ended_ || !update.done) return;
    done_[i] = true;
    --in_flight_;
    if (!update.error.is_ok()) {
      log_request_done(update.record, status_token(update.error.code()));
      return fail(update.error);
    }
    log_request_done(update.record, "ok");
    results_[i] = std::move(update.embedding);
    prompt_tokens_ += update.record.prompt_tokens;
    if (++n_done_ < inputs_.size()) return submit_more();
    ended_ = true;
    respond_json(exchange_,
                 openai::embedding_response(results_, base64_, ctx_.model_id, prompt_tokens_));
  }

  void fail(const Status& status) {
    ended_ = true;
    cancel_all();
    respond_error(exchange_, openai::ApiError{status, "", ""});
  }

  void abandon() {
    if (ended_) return;
    ended_ = true;
    cancel_all();
    base::logger("server")->info("request.done req={} route=embeddings status=cancelled",
                                 exchange_.request_id());
  }

  void cancel_all() {
    for (size_t i = 0; i < handles_.size(); ++i) {
      if (!done_[i]) handles_[i].cancel();
    }
  }

  const ServingContext& ctx_;
  http::Exchange exchange_;
  std::vector<std::vector<int32_t>> inputs_;
  bool base64_;
  std::string caller_;
  std::vector<std::vector<float>> results_;
  std::vector<engine::RequestHandle> handles_;
  std::vector<bool> done_;
  size_t next_ = 0, in_flight_ = 0, n_done_ = 0;
  int64_t prompt_tokens_ = 0;
  bool ended_ = false;
};

}  // namespace

void handle_embeddings(const ServingContext& ctx, http::Exchange exchange) {
  auto body = json_body(exchange);
  if (!body.ok()) return respond_error(exchange, body.error());
  auto req = openai::parse_embedding_request(body.value(), ctx.limits.n_vocab);
  if (!req.ok()) return respond_error(exchange, req.error());
  if (auto e = check_model(ctx, req.value().model)) return respond_error(exchange, *e);
  std::vector<std::vector<int32_t>> inputs;
  for (openai::PromptInput& in : req.value().inputs) {
    inputs.push_back(in.is_tokens ? std::move(in.tokens)
                                  : ctx.tokenizer->encode(in.text, true, true));
  }
  std::make_shared<EmbeddingCall>(ctx, std::move(exchange), std::move(inputs), req.value().base64,
                                  req.value().user)
      ->start();
}

}  // namespace liftoff::server::handlers
