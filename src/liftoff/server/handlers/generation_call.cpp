// GenerationCall: the per-request state machine between the engine's updates and the HTTP
// exchange (collect and answer once, or stream SSE events).
#include "liftoff/server/handlers/generation_call.h"

#include <boost/asio/post.hpp>

#include "liftoff/base/log.h"
#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/http/request_id.h"
#include "liftoff/server/openai/error_json.h"
#include "liftoff/server/openai/json_body.h"

namespace liftoff::server::handlers {
namespace {

constexpr const char* kSseDone = "data: [DONE]\n\n";

std::string sse_event(const nlohmann::ordered_json& data) {
  return "data: " + openai::dump_json(data) + "\n\n";
}

double ms_between(engine::SteadyTime from, engine::SteadyTime to) {
  if (from == engine::SteadyTime{} || to == engine::SteadyTime{}) return -1.0;
  return std::chrono::duration<double, std::milli>(to - from).count();
}

class GenerationCall : public std::enable_shared_from_this<GenerationCall> {
 public:
  GenerationCall(const ServingContext& ctx, http::Exchange exchange, GenerationPlan plan,
                 std::unique_ptr<openai::GenerationFormat> format)
      : ctx_(ctx),
        exchange_(std::move(exchange)),
        plan_(std::move(plan)),
        format_(std::move(format)) {}

  void start();

 private:
  struct PromptState {
    engine::RequestHandle handle;
    std::string record_id;
    bool done = false;
    int64_t completion_tokens = 0;  // seen so far, for the log line of a cancelled request
  };

  void on_update(size_t prompt, engine::RequestUpdate update);
  void on_client_gone();
  void fail(const openai::ApiError& error);
  void finish();
  void cancel_all();
  void write_events(const std::vector<nlohmann::ordered_json>& events);

  const ServingContext& ctx_;
  http::Exchange exchange_;
  GenerationPlan plan_;
  std::unique_ptr<openai::GenerationFormat> format_;
  std::vector<PromptState> prompts_;
  std::vector<openai::ChoiceResult> choices_;  // non-streamed answers, prompts * n
  openai::Usage usage_;
  size_t n_done_ = 0;
  bool streaming_ = false;  // the SSE header went out
  bool ended_ = false;      // answered, failed or abandoned: later updates are dropped
};

void GenerationCall::start() {
  auto self = shared_from_this();
  exchange_.on_client_gone([self] { self->on_client_gone(); });
  const size_t n_prompts = plan_.prompts.size();
  const int32_t n = plan_.request.n;
  prompts_.resize(n_prompts);
  choices_.resize(n_prompts * static_cast<size_t>(n));
  auto executor = exchange_.executor();
  for (size_t i = 0; i < n_prompts; ++i) {
    engine::GenerationRequest request = plan_.request;
    request.prompt = std::move(plan_.prompts[i]);
    engine::RequestRecord record;
    record.id =
        n_prompts == 1 ? exchange_.request_id() : exchange_.request_id() + "/" + std::to_string(i);
    record.caller = plan_.caller;
    record.route = plan_.route;
    record.received = exchange_.received();
    prompts_[i].record_id = record.id;
    // Runs on the engine thread: only hand the update over to the connection's strand.
    engine::UpdateSink sink = [self, i, executor](engine::RequestUpdate&& update) {
      boost::asio::post(executor, [self, i, update = std::move(update)]() mutable {
        self->on_update(i, std::move(update));
      });
    };
    auto handle = ctx_.engine->submit(std::move(request), std::move(record), std::move(sink));
    if (!handle.ok()) {
      ended_ = true;
      cancel_all();
      respond_error(exchange_, openai::ApiError{handle.status(), "", ""});
      return;
    }
    prompts_[i].handle = *handle;
  }
  plan_.prompts.clear();
  if (plan_.stream) {
    streaming_ = true;
    exchange_.start_stream(200, "text/event-stream");
    write_events(format_->stream_start(static_cast<int32_t>(choices_.size())));
  }
}

void GenerationCall::write_events(const std::vector<nlohmann::ordered_json>& events) {
  if (events.empty()) return;
  std::string data;
  for (const auto& e : events) data += sse_event(e);
  exchange_.write(std::move(data));
}

void GenerationCall::on_update(size_t prompt, engine::RequestUpdate update) {
  if (ended_) return;
  PromptState& state = prompts_[prompt];
  if (!update.error.is_ok()) {
    state.done = true;
    log_request_done(update.record, status_token(update.error.code()));
    return fail(openai::ApiError{update.error, "", ""});
  }
  const int32_t n = plan_.request.n;
  std::vector<nlohmann::ordered_json> events;
  for (engine::ChoiceDelta& delta : update.choices) {
    state.completion_tokens += static_cast<int64_t>(delta.tokens.size());
    delta.index += static_cast<int32_t>(prompt) * n;
    if (streaming_) {
      auto more = format_->stream_delta(delta);
      events.insert(events.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
      continue;
    }
    openai::ChoiceResult& choice = choices_[static_cast<size_t>(delta.index)];
    choice.text += delta.text;
    if (format_->options().logprobs) {
      choice.tokens.insert(choice.tokens.end(), std::make_move_iterator(delta.tokens.begin()),
                           std::make_move_iterator(delta.tokens.end()));
    }
    if (delta.finish) choice.finish = delta.finish;
  }
  write_events(events);
  if (!update.done) return;
  state.done = true;
  ++n_done_;
  usage_.prompt_tokens += update.record.prompt_tokens;
  usage_.completion_tokens += update.record.completion_tokens;
  usage_.cached_tokens += update.record.cached_tokens;
  log_request_done(update.record, "ok");
  if (n_done_ == prompts_.size()) finish();
}

void GenerationCall::finish() {
  ended_ = true;
  if (!streaming_) return respond_json(exchange_, format_->response(choices_, usage_));
  std::string tail;
  if (format_->options().include_usage) tail += sse_event(format_->usage_chunk(usage_));
  tail += kSseDone;
  exchange_.write(std::move(tail));
  exchange_.end_stream();
}

void GenerationCall::fail(const openai::ApiError& error) {
  ended_ = true;
  cancel_all();
  if (!streaming_) return respond_error(exchange_, error);
  // The 200 header is out: report the error as an event, as OpenAI's streams do.
  base::logger("server")->info("request.error req={} code={} streamed=true", exchange_.request_id(),
                               status_token(error.status.code()));
  exchange_.write("data: " + openai::error_body(error) + "\n\n" + kSseDone);
  exchange_.end_stream();
}

void GenerationCall::on_client_gone() {
  if (ended_) return;
  ended_ = true;
  cancel_all();
  const double total_ms = ms_between(exchange_.received(), std::chrono::steady_clock::now());
  for (const PromptState& p : prompts_) {
    if (p.done) continue;
    base::logger("server")->info(
        "request.done req={} route={} status=cancelled completion_tokens={} total_ms={:.1f}",
        p.record_id, plan_.route, p.completion_tokens, total_ms);
  }
}

void GenerationCall::cancel_all() {
  for (const PromptState& p : prompts_) {
    if (!p.done) p.handle.cancel();
  }
}

}  // namespace

void log_request_done(const engine::RequestRecord& record, std::string_view status) {
  base::logger("server")->info(
      "request.done req={} route={} status={} prompt_tokens={} cached_tokens={} "
      "completion_tokens={} ttft_ms={:.1f} total_ms={:.1f}",
      record.id, record.route, status, record.prompt_tokens, record.cached_tokens,
      record.completion_tokens, ms_between(record.received, record.first_token),
      ms_between(record.received, record.finished));
}

GenerationPlan make_plan(const openai::GenerationParams& params, std::string route) {
  GenerationPlan plan;
  plan.request.sampling = params.sampling;
  plan.request.sampling.seed = params.seed ? static_cast<uint64_t>(*params.seed) : random_seed();
  plan.request.max_tokens = params.max_tokens;
  plan.request.stop = params.stop;
  plan.request.ignore_eos = params.ignore_eos;
  plan.request.n = params.n;
  plan.stream = params.stream;
  plan.route = std::move(route);
  plan.caller = params.user;
  return plan;
}

openai::FormatOptions make_format_options(const ServingContext& ctx,
                                          const openai::GenerationParams& params,
                                          std::string_view id_prefix) {
  openai::FormatOptions o;
  o.id = std::string(id_prefix) + http::random_alnum(24);
  o.created = unix_seconds();
  o.model = ctx.model_id;
  o.logprobs = params.logprobs;
  o.top_logprobs = params.top_logprobs;
  o.include_usage = params.include_usage;
  const tokenizer::Tokenizer* tok = ctx.tokenizer;
  o.piece = [tok](int32_t id) { return tok->token_to_piece(id); };
  return o;
}

void run_generation(const ServingContext& ctx, http::Exchange exchange, GenerationPlan plan,
                    std::unique_ptr<openai::GenerationFormat> format) {
  std::make_shared<GenerationCall>(ctx, std::move(exchange), std::move(plan), std::move(format))
      ->start();
}

}  // namespace liftoff::server::handlers
