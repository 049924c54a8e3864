// Interpretation of completion responses for the load generator. nlohmann::json exceptions stay
// in this file: every parse uses the non-throwing overload and every field access is checked.
#include "liftoff/tooling/loadtest_response.h"

#include <nlohmann/json.hpp>

namespace liftoff::tooling {
namespace {

using nlohmann::json;

constexpr size_t kMaxMessageBytes = 200;

std::string clip(std::string_view s) { return std::string(s.substr(0, kMaxMessageBytes)); }

// The text an error object carries, whichever of the common shapes it has.
std::string error_text(const json& error) {
  if (error.is_string()) return clip(error.get<std::string>());
  if (error.is_object()) {
    auto it = error.find("message");
    if (it != error.end() && it->is_string()) return clip(it->get<std::string>());
  }
  return clip(error.dump(-1, ' ', false, json::error_handler_t::replace));
}

CompletionUsage usage_of(const json& doc) {
  CompletionUsage u;
  auto it = doc.find("usage");
  if (it == doc.end() || !it->is_object()) return u;
  auto p = it->find("prompt_tokens");
  if (p != it->end() && p->is_number_integer()) u.prompt_tokens = p->get<int64_t>();
  auto c = it->find("completion_tokens");
  if (c != it->end() && c->is_number_integer()) u.completion_tokens = c->get<int64_t>();
  return u;
}

// The generated text of the first choice: "text" for /completions, the message or delta content
// for chat (reasoning models stream reasoning_content first; those are output tokens too).
std::string choice_text(const json& choice, bool chat) {
  if (!choice.is_object()) return "";
  auto text_field = [](const json& obj, const char* key) -> std::string {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!chat) return text_field(choice, "text");
  for (const char* holder : {"delta", "message"}) {
    auto it = choice.find(holder);
    if (it == choice.end() || !it->is_object()) continue;
    std::string text = text_field(*it, "content");
    if (text.empty()) text = text_field(*it, "reasoning_content");
    return text;
  }
  return "";
}

}  // namespace

void StreamAccumulator::set_problem(ResponseProblem problem, std::string message) {
  if (problem_ != ResponseProblem::kNone) return;
  problem_ = problem;
  problem_message_ = clip(message);
}

void StreamAccumulator::on_event(const SseEvent& event, Clock::time_point now) {
  if (event.type == "error") {
    json doc = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    std::string message = event.data;
    if (!doc.is_discarded()) message = error_text(doc.contains("error") ? doc["error"] : doc);
    set_problem(ResponseProblem::kServerError, message);
    return;
  }
  if (event.data == "[DONE]") {
    saw_done_ = true;
    return;
  }
  json doc = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    set_problem(ResponseProblem::kMalformed, "stream chunk is not a JSON object: " + event.data);
    return;
  }
  if (auto it = doc.find("error"); it != doc.end() && !it->is_null()) {
    set_problem(ResponseProblem::kServerError, error_text(*it));
    return;
  }
  const CompletionUsage u = usage_of(doc);
  if (u.prompt_tokens >= 0) usage_.prompt_tokens = u.prompt_tokens;
  if (u.completion_tokens >= 0) usage_.completion_tokens = u.completion_tokens;
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array()) {
    // Only the final usage chunk may lack choices (vLLM sends "choices": [] there; others omit it).
    if (u.completion_tokens < 0) set_problem(ResponseProblem::kMalformed, "chunk without choices");
    return;
  }
  if (choices->empty()) return;
  if (!choice_text((*choices)[0], chat_).empty()) {
    ++n_content_chunks_;
    if (!first_content_) first_content_ = now;
  }
}

CompletionResult parse_completion_body(std::string_view body) {
  CompletionResult r;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    r.problem = ResponseProblem::kMalformed;
    r.problem_message = "response is not a JSON object: " + clip(body);
    return r;
  }
  if (auto it = doc.find("error"); it != doc.end() && !it->is_null()) {
    r.problem = ResponseProblem::kServerError;
    r.problem_message = error_text(*it);
    return r;
  }
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    r.problem = ResponseProblem::kMalformed;
    r.problem_message = "response has no choices: " + clip(body);
    return r;
  }
  r.usage = usage_of(doc);
  return r;
}

std::string error_message_of(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded() && doc.is_object()) {
    if (auto it = doc.find("error"); it != doc.end()) return error_text(*it);
    if (auto it = doc.find("message"); it != doc.end() && it->is_string()) {
      return clip(it->get<std::string>());
    }
  }
  return clip(body);
}

}  // namespace liftoff::tooling
