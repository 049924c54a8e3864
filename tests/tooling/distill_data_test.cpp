// liftoff distill-data: JSONL prompt parsing with line-numbered errors, and the written records
// on stories260K (greedy = llama.cpp's reference ids, top-k sorted, chosen token = argmax).
#include "liftoff/tooling/distill_data.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "test_data.h"
#include "tooling/loaded_model.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;

TEST(DistillPrompts, ParsesPromptsAndMessagesAndSkipsBlankLines) {
  auto p = parse_distill_prompts(
      "{\"prompt\": \"Once upon a time\"}\n"
      "\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}\r\n");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].line, 1);
  EXPECT_EQ((*p)[0].prompt, "Once upon a time");
  EXPECT_EQ((*p)[1].line, 3);
  ASSERT_EQ((*p)[1].messages.size(), 1u);
  EXPECT_EQ((*p)[1].messages[0].role, "user");
  EXPECT_EQ((*p)[1].messages[0].content, "Hi");
}

TEST(DistillPrompts, BadLinesNameTheirLineNumber) {
  struct Case {
    const char* jsonl;
    const char* expected;
  };
  for (const Case& c : {
           Case{"{\"prompt\": \"a\"}\n{\"prompt\": \"b\"\n", "line 2: not valid JSON"},
           Case{"[1, 2]\n", "line 1: expected a JSON object"},
           Case{"{\"prompt\": \"a\"}\n\n{\"text\": \"a\"}\n", "line 3: expected a \"prompt\""},
           Case{"{\"prompt\": 7}\n", "line 1: \"prompt\" must be a string"},
           Case{"{\"messages\": []}\n", "line 1: \"messages\" must be a non-empty array"},
           Case{"{\"messages\": [{\"role\": \"user\", \"content\": 3}]}\n", "line 1: messages[0]"},
           Case{"\n\n", "no prompts"},
       }) {
    auto p = parse_distill_prompts(c.jsonl);
    ASSERT_FALSE(p.ok()) << c.jsonl;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << c.jsonl << " -> " << p.status().to_string();
  }
}

class DistillDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("liftoff_distill_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    testing::LoadedModel l =
        testing::load_model(testing::models_dir() / "gguf" / "stories260K-f32.gguf");
    ASSERT_TRUE(l.model);
    model_ = std::move(l.model);
    tok_ = std::move(l.tok);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<nlohmann::json> read_jsonl(const fs::path& path) {
    std::ifstream in(path);
    std::vector<nlohmann::json> out;
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  fs::path dir_;
  std::unique_ptr<model::Model> model_;
  std::unique_ptr<tokenizer::Tokenizer> tok_;
  base::ThreadPool pool_{2};
};

TEST_F(DistillDataTest, GreedyRecordsCarrySortedTopKWithTheArgmaxChosen) {
  auto prompts = parse_distill_prompts(
      "{\"prompt\": \"Once upon a time\"}\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story.\"}]}\n");
  ASSERT_TRUE(prompts.ok());
  DistillOptions o;
  o.max_tokens = 32;
  o.top_k = 5;
  const fs::path out = dir_ / "out.jsonl";
  ASSERT_TRUE(write_distill_data(*model_, *tok_, *prompts, o, pool_, out).is_ok());
  const auto lines = read_jsonl(out);
  ASSERT_EQ(lines.size(), 2u);

  // Greedy ids are llama.cpp's (../shared/reference/greedy-stories260K-f32.json, first prompt).
  const auto ref = nlohmann::json::parse(
      testing::read_file(testing::reference_dir() / "greedy-stories260K-f32.json"));
  const auto& first = lines[0];
  EXPECT_EQ(first["index"], 0);
  EXPECT_EQ(first["prompt"], "Once upon a time");
  EXPECT_EQ(first["prompt_token_ids"], ref["results"][0]["prompt_ids"]);
  EXPECT_EQ(first["token_ids"], ref["results"][0]["ids"]);
  EXPECT_EQ(first["completion"], ref["results"][0]["text"]);
  EXPECT_EQ(first["finish_reason"], "length");
  EXPECT_TRUE(lines[1].contains("messages"));
  EXPECT_NE(lines[1]["prompt"].get<std::string>().find("Tell me a story."), std::string::npos);

  for (const auto& line : lines) {
    const auto& content = line["logprobs"]["content"];
    ASSERT_EQ(content.size(), line["token_ids"].size());
    for (size_t i = 0; i < content.size(); ++i) {
      const auto& tok = content[i];
      const auto& top = tok["top_logprobs"];
      ASSERT_EQ(top.size(), 5u);
      for (size_t k = 1; k < top.size(); ++k) {
        EXPECT_GE(top[k - 1]["logprob"].get<double>(), top[k]["logprob"].get<double>());
      }
      // Temperature 0: the chosen token is the most likely one.
      EXPECT_EQ(tok["id"], top[0]["id"]);
      EXPECT_EQ(tok["id"], line["token_ids"][i]);
      EXPECT_DOUBLE_EQ(tok["logprob"].get<double>(), top[0]["logprob"].get<double>());
      EXPECT_LE(tok["logprob"].get<double>(), 0.0);
      EXPECT_EQ(tok["token"], tok_->token_to_piece(tok["id"].get<int32_t>()));
    }
  }
  // logprob of the first token, as llama.cpp reports it.
  EXPECT_NEAR(first["logprobs"]["content"][0]["logprob"].get<double>(),
              ref["results"][0]["token_logprobs"][0].get<double>(), 1e-4);
}

TEST_F(DistillDataTest, SampledRecordsAreReproducibleFromTheSeed) {
  auto prompts = parse_distill_prompts("{\"prompt\": \"The little dog\"}\n");
  ASSERT_TRUE(prompts.ok());
  DistillOptions o;
  o.max_tokens = 24;
  o.temperature = 1.0f;
  o.seed = 11;
  ASSERT_TRUE(write_distill_data(*model_, *tok_, *prompts, o, pool_, dir_ / "a.jsonl").is_ok());
  ASSERT_TRUE(write_distill_data(*model_, *tok_, *prompts, o, pool_, dir_ / "b.jsonl").is_ok());
  EXPECT_EQ(testing::read_file(dir_ / "a.jsonl"), testing::read_file(dir_ / "b.jsonl"));
  const auto line = read_jsonl(dir_ / "a.jsonl").at(0);
  EXPECT_EQ(line["logprobs"]["content"][0]["top_logprobs"].size(), 20u);  // the default top-k
}

TEST_F(DistillDataTest, AFailingPromptLeavesNoOutput) {
  auto prompts = parse_distill_prompts(
      "{\"prompt\": \"Once\"}\n{\"prompt\": \"Once upon a time there was a dog and a cat\"}\n");
  ASSERT_TRUE(prompts.ok());
  DistillOptions o;
  o.n_ctx = 8;  // the second prompt does not fit
  o.max_tokens = 4;
  const fs::path out = dir_ / "out.jsonl";
  const Status st = write_distill_data(*model_, *tok_, *prompts, o, pool_, out);
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("line 2"), std::string::npos) << st.to_string();
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 0);
  o.n_ctx = 0;
  o.top_k = 21;
  EXPECT_FALSE(write_distill_data(*model_, *tok_, *prompts, o, pool_, out).is_ok());
}

}  // namespace
}  // namespace liftoff::tooling
