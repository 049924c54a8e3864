// StopMatcher: stop strings never leak, even split over tokens; text is released as early as
// possible; tokens travel with the last byte of their text.
#include "liftoff/engine/stop_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace liftoff::engine {
namespace {

struct Fed {
  std::string text;
  std::vector<std::string> deltas;
  std::vector<int32_t> tokens;
  bool stopped = false;
};

Fed feed(std::vector<std::string> stops, const std::vector<std::string>& pieces) {
  StopMatcher m(std::move(stops));
  Fed run;
  int32_t id = 0;
  for (const std::string& p : pieces) {
    ReleasedText r = m.push(SampledToken{id++, 0.0f, {}}, p);
    run.text += r.text;
    run.deltas.push_back(r.text);
    for (auto& t : r.tokens) run.tokens.push_back(t.token);
    if (r.stopped) {
      run.stopped = true;
      return run;
    }
  }
  ReleasedText r = m.finish();
  run.text += r.text;
  run.deltas.push_back(r.text);
  for (auto& t : r.tokens) run.tokens.push_back(t.token);
  run.stopped = r.stopped;
  return run;
}

TEST(StopMatcher, NoStopsPassesEverythingThrough) {
  Fed r = feed({}, {"Hello", ", ", "world"});
  EXPECT_EQ(r.text, "Hello, world");
  EXPECT_EQ(r.deltas[0], "Hello");
  EXPECT_EQ(r.tokens, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_FALSE(r.stopped);
}

TEST(StopMatcher, StopInsideOneTokenCutsTheText) {
  Fed r = feed({"END"}, {"abc", "xENDy", "more"});
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "abcx");
}

TEST(StopMatcher, StopSplitOverTokensNeverLeaks) {
  Fed r = feed({"</s>"}, {"one ", "two<", "/", "s>", "three"});
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "one two");
  for (const auto& d : r.deltas) EXPECT_EQ(d.find('<'), std::string::npos) << d;
  // "two" is released as soon as "<" arrives, only "<" is held.
  EXPECT_EQ(r.deltas[1], "two");
  EXPECT_EQ(r.tokens, (std::vector<int32_t>{0, 1, 2, 3}));
}

TEST(StopMatcher, FalseAlarmIsReleasedLater) {
  Fed r = feed({"STOP"}, {"ST", "OR", "Y"});
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.text, "STORY");
  EXPECT_EQ(r.deltas[0], "");
  EXPECT_EQ(r.deltas[1], "STOR");
}

TEST(StopMatcher, HeldPrefixIsReleasedAtTheEnd) {
  Fed r = feed({"STOP"}, {"abc", "ST"});
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.text, "abcST");
  EXPECT_EQ(r.deltas.back(), "ST");
}

TEST(StopMatcher, EarliestOfSeveralStopsWins) {
  Fed r = feed({"world", "lo"}, {"hello world"});
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "hel");
}

TEST(StopMatcher, OverlappingPartialMatches) {
  // "aab" must be found although the text "aaab" first looks like a failed "aab" at offset 0.
  Fed r = feed({"aab"}, {"a", "a", "a", "b", "c"});
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "a");
}

TEST(StopMatcher, MultiByteStopAndText) {
  Fed r = feed({"é!"}, {"caf", "é", "!", "x"});
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "caf");
}

TEST(StopMatcher, FinishTailCanCompleteAStop) {
  StopMatcher m({"ab"});
  EXPECT_EQ(m.push(SampledToken{}, "xa").text, "x");
  ReleasedText r = m.finish("b");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.text, "");
}

TEST(StopMatcher, EmptyStopStringsAreIgnored) {
  Fed r = feed({""}, {"a", "b"});
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.text, "ab");
}

}  // namespace
}  // namespace liftoff::engine
