// Prompt generation (lengths, sharing, uniqueness, determinism) and the request bodies built
// from the prompts.
#include "liftoff/tooling/loadtest_request.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "liftoff/tooling/loadtest_prompts.h"

namespace liftoff::tooling {
namespace {

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(WordPrompts, VocabularyIsDistinctSingleWords) {
  std::set<std::string_view> seen;
  for (std::string_view w : prompt_words()) {
    EXPECT_TRUE(seen.insert(w).second) << "duplicate word " << w;
    EXPECT_FALSE(w.empty());
    EXPECT_EQ(w.find(' '), std::string_view::npos);
  }
  EXPECT_GE(prompt_words().size(), 400u);
}

TEST(WordPrompts, LengthAndSharedPrefix) {
  const PromptSpec spec{/*n_words=*/40, /*n_shared=*/15, /*seed=*/123};
  const Prompt a = make_word_prompt(spec, 0), b = make_word_prompt(spec, 1);
  EXPECT_EQ(words_of(a.text()).size(), 40u);
  EXPECT_EQ(words_of(a.shared).size(), 15u);
  EXPECT_EQ(words_of(a.unique).size(), 25u);
  EXPECT_EQ(a.shared, b.shared);
  EXPECT_NE(a.unique, b.unique);
  EXPECT_EQ(a.text(), a.shared + " " + a.unique);
}

TEST(WordPrompts, DeterministicPerSeedAndIndex) {
  const PromptSpec spec{32, 8, 7};
  EXPECT_EQ(make_word_prompt(spec, 5).text(), make_word_prompt(spec, 5).text());
  const PromptSpec other{32, 8, 8};
  EXPECT_NE(make_word_prompt(spec, 5).text(), make_word_prompt(other, 5).text());
  EXPECT_NE(make_word_prompt(spec, 5).shared, make_word_prompt(other, 5).shared);
}

TEST(WordPrompts, UniquePartsDifferFromTheirFirstWord) {
  // Indices far apart included: the first two unique words spell the index in base |words|.
  const PromptSpec spec{4, 2, 99};
  std::set<std::string> firsts;
  const uint64_t n = prompt_words().size();
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, n - 1, n, n + 1, 2 * n, n * n - 1}) {
    const auto w = words_of(make_word_prompt(spec, i).unique);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_TRUE(firsts.insert(w[0] + " " + w[1]).second) << "index " << i;
  }
}

TEST(WordPrompts, AllSharedOrNoneShared) {
  const Prompt all = make_word_prompt({10, 10, 1}, 3);
  EXPECT_EQ(all.unique, "");
  EXPECT_EQ(all.text(), all.shared);
  EXPECT_EQ(words_of(all.text()).size(), 10u);
  const Prompt none = make_word_prompt({1, 0, 1}, 3);
  EXPECT_EQ(none.shared, "");
  EXPECT_EQ(words_of(none.text()).size(), 1u);
}

TEST(RequestBody, CompletionsNonStreamed) {
  RequestShape shape;
  shape.model = "m";
  shape.max_tokens = 64;
  const auto body = nlohmann::json::parse(build_request_body(shape, {"s t", "u v"}));
  EXPECT_EQ(body["model"], "m");
  EXPECT_EQ(body["prompt"], "s t u v");
  EXPECT_EQ(body["max_tokens"], 64);
  EXPECT_EQ(body["temperature"], 0.0);
  EXPECT_EQ(body["stream"], false);
  EXPECT_EQ(body["ignore_eos"], true);
  EXPECT_FALSE(body.contains("stream_options"));
  EXPECT_FALSE(body.contains("messages"));
  EXPECT_EQ(endpoint_suffix(false), "/completions");
}

TEST(RequestBody, StreamedAsksForUsage) {
  RequestShape shape;
  shape.stream = true;
  shape.ignore_eos = false;
  shape.temperature = 0.7;
  const auto body = nlohmann::json::parse(build_request_body(shape, {"", "u"}));
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_FALSE(body.contains("ignore_eos"));
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.7);
}

TEST(RequestBody, ChatPutsTheSharedPrefixInTheSystemMessage) {
  RequestShape shape;
  shape.chat = true;
  const auto with_prefix =
      nlohmann::json::parse(build_request_body(shape, {"sys words", "user words"}));
  ASSERT_EQ(with_prefix["messages"].size(), 2u);
  EXPECT_EQ(with_prefix["messages"][0]["role"], "system");
  EXPECT_EQ(with_prefix["messages"][0]["content"], "sys words");
  EXPECT_EQ(with_prefix["messages"][1]["role"], "user");
  EXPECT_EQ(with_prefix["messages"][1]["content"], "user words");
  EXPECT_FALSE(with_prefix.contains("prompt"));
  const auto without = nlohmann::json::parse(build_request_body(shape, {"", "only user"}));
  ASSERT_EQ(without["messages"].size(), 1u);
  EXPECT_EQ(without["messages"][0]["role"], "user");
  EXPECT_EQ(endpoint_suffix(true), "/chat/completions");
}

TEST(RequestBody, InvalidUtf8IsReplacedNotThrown) {
  RequestShape shape;
  const auto body = nlohmann::json::parse(build_request_body(shape, {"", "bad \xC3 byte"}));
  EXPECT_EQ(body["prompt"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace liftoff::tooling
