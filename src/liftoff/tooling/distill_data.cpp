// Distillation data: JSONL prompts -> teacher completions with top-k logprobs (format in the
// header).
#include "liftoff/tooling/distill_data.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "liftoff/engine/generate.h"
#include "liftoff/engine/sequence_runner.h"
#include "liftoff/tokenizer/chat_template.h"

namespace liftoff::tooling {
namespace {

constexpr int64_t kDefaultMaxContext = 4096;

Status line_error(int64_t line, const std::string& what) {
  return Status::invalid_argument("line " + std::to_string(line) + ": " + what);
}

nlohmann::json token_json(const tokenizer::Tokenizer& tok, int32_t id, float logprob) {
  const std::string piece = tok.token_to_piece(id);
  std::vector<int> bytes(piece.begin(), piece.end());
  for (int& b : bytes) b &= 0xFF;
  return {{"token", piece}, {"id", id}, {"bytes", bytes}, {"logprob", logprob}};
}

}  // namespace

Result<std::vector<DistillPrompt>> parse_distill_prompts(std::string_view jsonl) {
  std::vector<DistillPrompt> out;
  int64_t line_no = 0;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    const size_t end = std::min(jsonl.find('\n', pos), jsonl.size());
    std::string_view line = jsonl.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return line_error(line_no, "not valid JSON");
    if (!j.is_object()) return line_error(line_no, "expected a JSON object");
    DistillPrompt p;
    p.line = line_no;
    if (j.contains("prompt")) {
      if (!j["prompt"].is_string()) return line_error(line_no, "\"prompt\" must be a string");
      p.prompt = j["prompt"].get<std::string>();
    } else if (j.contains("messages")) {
      const auto& msgs = j["messages"];
      if (!msgs.is_array() || msgs.empty()) {
        return line_error(line_no, "\"messages\" must be a non-empty array");
      }
      for (size_t i = 0; i < msgs.size(); ++i) {
        const auto& m = msgs[i];
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string() ||
            !m.contains("content") || !m["content"].is_string()) {
          return line_error(line_no, "messages[" + std::to_string(i) +
                                         "] must be {\"role\": string, \"content\": string}");
        }
        p.messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
      }
    } else {
      return line_error(line_no, "expected a \"prompt\" or a \"messages\" field");
    }
    out.push_back(std::move(p));
  }
  if (out.empty()) return Status::invalid_argument("the prompts file has no prompts");
  return out;
}

Status write_distill_data(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const std::vector<DistillPrompt>& prompts, const DistillOptions& options,
                          base::ThreadPool& pool, const std::filesystem::path& out,
                          const std::function<void(size_t)>& on_done) {
  if (options.top_k < 1 || options.top_k > 20) {
    return Status::invalid_argument("top-k logprobs must be in [1, 20], got " +
                                    std::to_string(options.top_k));
  }
  if (options.max_tokens < 1) return Status::invalid_argument("max tokens must be at least 1");
  const int64_t n_ctx =
      options.n_ctx > 0 ? options.n_ctx : std::min(model.hparams().n_ctx_train, kDefaultMaxContext);
  std::optional<tokenizer::ChatTemplate> chat;
  tokenizer::ChatTemplateInputs chat_inputs;
  if (tok.bos() >= 0) chat_inputs.bos_token = tok.text(tok.bos());
  if (tok.eos() >= 0) chat_inputs.eos_token = tok.text(tok.eos());

  LIFTOFF_ASSIGN_OR_RETURN(auto runner, engine::SequenceRunner::create(model, pool, n_ctx, 512));
  // Written beside the target and renamed at the end, so a failure leaves no partial output.
  const std::filesystem::path tmp = out.string() + ".tmp" + std::to_string(::getpid());
  std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
  if (!file) return Status::unavailable("cannot create " + tmp.string());
  auto fail = [&](Status st) {
    file.close();
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return st;
  };
  for (size_t i = 0; i < prompts.size(); ++i) {
    const DistillPrompt& p = prompts[i];
    nlohmann::json line = {{"index", i}};
    std::vector<int32_t> ids;
    if (!p.messages.empty()) {
      if (!chat) {
        auto t = tokenizer::ChatTemplate::for_tokenizer(tok);
        if (!t.ok()) return fail(t.status());
        chat = std::move(*t);
      }
      auto rendered = chat->apply(p.messages, chat_inputs);
      if (!rendered.ok()) return fail(line_error(p.line, rendered.status().message()));
      nlohmann::json msgs = nlohmann::json::array();
      for (const auto& m : p.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
      line["prompt"] = *rendered;
      line["messages"] = std::move(msgs);
      ids = tokenizer::tokenize_rendered_chat(tok, *rendered);
    } else {
      line["prompt"] = p.prompt;
      ids = tok.encode(p.prompt, true, true);
    }
    if (ids.empty())
      return fail(line_error(p.line, "the prompt is empty and the model adds no BOS"));
    if (static_cast<int64_t>(ids.size()) >= n_ctx) {
      return fail(line_error(p.line, "the prompt has " + std::to_string(ids.size()) +
                                         " tokens but the context holds " + std::to_string(n_ctx)));
    }
    engine::GenerateOptions gen;
    gen.max_tokens = options.max_tokens;
    gen.sampling.temperature = options.temperature;
    gen.sampling.top_k = 0;
    gen.sampling.top_p = 1.0f;
    gen.sampling.min_p = 0.0f;
    gen.sampling.seed = options.seed + i;
    gen.sampling.n_top_logprobs = options.top_k;
    if (auto st = gen.sampling.validate(tok.n_vocab()); !st.is_ok()) return fail(st);
    runner.reset();
    auto result = engine::generate(runner, tok, ids, gen);
    if (!result.ok()) return fail(line_error(p.line, result.status().message()));
    nlohmann::json content = nlohmann::json::array();
    std::vector<int32_t> out_ids;
    for (const engine::SampledToken& s : result->tokens) {
      nlohmann::json entry = token_json(tok, s.token, s.logprob);
      nlohmann::json top = nlohmann::json::array();
      for (const engine::TokenLogprob& t : s.top)
        top.push_back(token_json(tok, t.token, t.logprob));
      entry["top_logprobs"] = std::move(top);
      content.push_back(std::move(entry));
      out_ids.push_back(s.token);
    }
    line["prompt_token_ids"] = ids;
    line["completion"] = result->text;
    line["token_ids"] = out_ids;
    line["finish_reason"] = result->finish == engine::FinishReason::kStop ? "stop" : "length";
    line["logprobs"] = {{"content", std::move(content)}};
    // Pieces of a split UTF-8 character are not valid UTF-8 alone: "token" gets U+FFFD there and
    // "bytes" keeps the exact bytes, as OpenAI does.
    file << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    if (!file) return fail(Status::unavailable("write to " + tmp.string() + " failed"));
    if (on_done) on_done(i);
  }
  file.close();
  if (!file) return fail(Status::unavailable("write to " + tmp.string() + " failed"));
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec)
    return fail(Status::unavailable("cannot rename " + tmp.string() + " to " + out.string() + ": " +
                                    ec.message()));
  return Status::ok();
}

}  // namespace liftoff::tooling
