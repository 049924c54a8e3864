// Streaming (SSE): the chunk format, usage chunk, [DONE], stop strings that never leak, whole
// UTF-8 characters, and streamed text equal to the non-streamed answer at temperature 0 and at
// a fixed seed.
#include <gtest/gtest.h>

#include "serve_fixture.h"

namespace liftoff::testing {
namespace {

using nlohmann::json;

struct StreamArgs {
  static std::vector<std::string> args() { return {"--parallel", "4", "--ctx", "512"}; }
};
using ServeStream = ServeSuite<StreamArgs>;

struct Streamed {
  unsigned status = 0;
  HttpResponse head;
  std::vector<json> events;  // parsed chunks, [DONE] excluded
  bool done = false;
  std::vector<std::string> texts;  // per choice index, concatenated
  std::vector<std::string> finish;
};

Streamed stream(uint16_t port, const std::string& target, json body) {
  body["stream"] = true;
  HttpClient c(port);
  Streamed s;
  s.head = c.start_stream(target, body);
  s.status = s.head.status;
  if (s.status != 200) return s;
  while (c.read_more()) {
  }
  const bool chat = target == "/v1/chat/completions";
  for (const auto& data : sse_data(c.stream_body(), &s.done)) {
    if (data == "[DONE]") continue;
    json e = json::parse(data, nullptr, false);
    EXPECT_FALSE(e.is_discarded()) << data;
    s.events.push_back(e);
    for (const auto& choice : e.value("choices", json::array())) {
      const size_t i = choice["index"];
      if (s.texts.size() <= i) s.texts.resize(i + 1), s.finish.resize(i + 1);
      s.texts[i] += chat ? choice["delta"].value("content", "") : choice.value("text", "");
      if (choice["finish_reason"].is_string()) s.finish[i] = choice["finish_reason"];
    }
  }
  return s;
}

json answer(uint16_t port, const std::string& target, json body) {
  HttpClient c(port);
  auto r = c.post(target, body);
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.json();
}

std::string choice_text(const json& j, size_t i, bool chat) {
  return chat ? j["choices"][i]["message"]["content"].get<std::string>()
              : j["choices"][i]["text"].get<std::string>();
}

void expect_stream_equals_answer(uint16_t port, const std::string& target, const json& body) {
  const bool chat = target == "/v1/chat/completions";
  const json whole = answer(port, target, body);
  const Streamed s = stream(port, target, body);
  ASSERT_EQ(s.status, 200u);
  EXPECT_TRUE(s.done);
  ASSERT_EQ(s.texts.size(), whole["choices"].size()) << body.dump();
  for (size_t i = 0; i < s.texts.size(); ++i) {
    EXPECT_EQ(s.texts[i], choice_text(whole, i, chat)) << body.dump() << " choice " << i;
    EXPECT_EQ(s.finish[i], whole["choices"][i]["finish_reason"]) << body.dump();
  }
}

TEST_F(ServeStream, GreedyStreamEqualsNonStreamed) {
  expect_stream_equals_answer(
      port(), "/v1/completions",
      {{"prompt", "Once upon a time"}, {"max_tokens", 48}, {"temperature", 0}});
  expect_stream_equals_answer(port(), "/v1/chat/completions",
                              {{"messages", {{{"role", "user"}, {"content", "Tell me a story"}}}},
                               {"max_tokens", 48},
                               {"temperature", 0}});
}

TEST_F(ServeStream, SeededStreamEqualsNonStreamed) {
  for (int seed : {1, 2, 3}) {
    expect_stream_equals_answer(port(), "/v1/completions",
                                {{"prompt", "The little dog"},
                                 {"max_tokens", 40},
                                 {"temperature", 1.0},
                                 {"seed", seed},
                                 {"n", 2}});
    expect_stream_equals_answer(port(), "/v1/chat/completions",
                                {{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                                 {"max_tokens", 40},
                                 {"temperature", 0.9},
                                 {"top_p", 0.9},
                                 {"seed", seed}});
  }
  expect_stream_equals_answer(
      port(), "/v1/completions",
      {{"prompt", {"A cat", "A bird"}}, {"n", 2}, {"max_tokens", 16}, {"seed", 9}});
}

TEST_F(ServeStream, HighTemperatureNeverSplitsCharacters) {
  // Temperature 2 draws rare byte-fallback tokens; a character split across chunks would show
  // up as U+FFFD in the stream but not in the whole answer.
  for (int seed : {11, 12, 13, 14}) {
    expect_stream_equals_answer(port(), "/v1/completions",
                                {{"prompt", "Caf\xc3\xa9 \xe2\x98\x95 and"},
                                 {"max_tokens", 64},
                                 {"temperature", 2.0},
                                 {"seed", seed},
                                 {"ignore_eos", true}});
  }
}

TEST_F(ServeStream, ChatChunkFormat) {
  const Streamed s = stream(port(), "/v1/chat/completions",
                            {{"messages", {{{"role", "user"}, {"content", "Hi"}}}},
                             {"max_tokens", 8},
                             {"n", 2},
                             {"temperature", 0}});
  ASSERT_EQ(s.status, 200u);
  EXPECT_EQ(s.head.header("content-type"), "text/event-stream");
  EXPECT_EQ(s.head.header("cache-control"), "no-cache");
  EXPECT_EQ(s.head.header("transfer-encoding"), "chunked");
  EXPECT_EQ(s.head.header("x-request-id").size(), 32u);
  ASSERT_TRUE(s.done);
  ASSERT_GE(s.events.size(), 4u);
  const std::string id = s.events[0]["id"];
  EXPECT_EQ(id.rfind("chatcmpl-", 0), 0u);
  // The first chunk of each choice carries the role.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(s.events[i]["choices"][0]["index"], i);
    EXPECT_EQ(s.events[i]["choices"][0]["delta"]["role"], "assistant");
    EXPECT_EQ(s.events[i]["choices"][0]["delta"]["content"], "");
  }
  std::vector<int> finishes(2, 0);
  for (const auto& e : s.events) {
    EXPECT_EQ(e["id"], id);
    EXPECT_EQ(e["object"], "chat.completion.chunk");
    EXPECT_FALSE(e.contains("usage"));
    ASSERT_EQ(e["choices"].size(), 1u);
    const auto& c = e["choices"][0];
    if (c["finish_reason"].is_string()) {
      ++finishes[c["index"].get<int>()];
      EXPECT_EQ(c["delta"], json::object());  // the finishing chunk has an empty delta
    }
  }
  EXPECT_EQ(finishes, (std::vector<int>{1, 1}));
}

TEST_F(ServeStream, IncludeUsageAddsAFinalUsageChunk) {
  const Streamed s = stream(port(), "/v1/completions",
                            {{"prompt", "Once upon a time"},
                             {"max_tokens", 6},
                             {"temperature", 0},
                             {"stream_options", {{"include_usage", true}}}});
  ASSERT_EQ(s.status, 200u);
  ASSERT_TRUE(s.done);
  ASSERT_GE(s.events.size(), 2u);
  for (size_t i = 0; i + 1 < s.events.size(); ++i) {
    EXPECT_EQ(s.events[i]["object"], "text_completion");
    ASSERT_TRUE(s.events[i].contains("usage"));
    EXPECT_TRUE(s.events[i]["usage"].is_null());
  }
  const json& last = s.events.back();
  EXPECT_EQ(last["choices"], json::array());
  EXPECT_EQ(last["usage"]["completion_tokens"], 6);
  EXPECT_EQ(last["usage"]["total_tokens"], last["usage"]["prompt_tokens"].get<int>() + 6);
  EXPECT_EQ(s.texts[0], ", there was a little g");
  EXPECT_EQ(s.finish[0], "length");
}

TEST_F(ServeStream, StopStringsNeverLeakIntoChunks) {
  for (const json& stop : {json("Lily"), json({" little girl", "zzz"}), json("park. One")}) {
    json body = {
        {"prompt", "Once upon a time"}, {"max_tokens", 40}, {"temperature", 0}, {"stop", stop}};
    const Streamed s = stream(port(), "/v1/completions", body);
    ASSERT_EQ(s.status, 200u);
    EXPECT_EQ(s.finish[0], "stop") << stop;
    for (const auto& e : s.events) {
      const std::string text = e["choices"][0]["text"];
      for (const auto& st : (stop.is_array() ? stop : json::array({stop}))) {
        EXPECT_EQ(text.find(st.get<std::string>()), std::string::npos) << stop;
      }
    }
    for (const auto& st : (stop.is_array() ? stop : json::array({stop}))) {
      EXPECT_EQ(s.texts[0].find(st.get<std::string>()), std::string::npos);
    }
    EXPECT_EQ(s.texts[0], answer(port(), "/v1/completions", body)["choices"][0]["text"]);
  }
}

TEST_F(ServeStream, StreamedLegacyLogprobsMatchTheWholeAnswer) {
  json body = {
      {"prompt", "Once upon a time"}, {"max_tokens", 12}, {"temperature", 0}, {"logprobs", 1}};
  const json whole = answer(port(), "/v1/completions", body)["choices"][0]["logprobs"];
  const Streamed s = stream(port(), "/v1/completions", body);
  json tokens = json::array(), offsets = json::array();
  for (const auto& e : s.events) {
    const auto& lp = e["choices"][0]["logprobs"];
    if (lp.is_null()) continue;
    for (const auto& t : lp["tokens"]) tokens.push_back(t);
    for (const auto& o : lp["text_offset"]) offsets.push_back(o);
  }
  EXPECT_EQ(tokens, whole["tokens"]);
  EXPECT_EQ(offsets, whole["text_offset"]);
}

}  // namespace
}  // namespace liftoff::testing
