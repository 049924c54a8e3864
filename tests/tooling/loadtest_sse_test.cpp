// SseParser: the framing rules of text/event-stream (line ends, comments, multi-line data,
// dispatch at blank lines) and, above all, that the events do not depend on how the bytes were
// split into reads.
#include "liftoff/tooling/loadtest_sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace liftoff::tooling {
namespace {

std::vector<SseEvent> parse_whole(const std::string& bytes, bool finish = true) {
  SseParser p;
  std::vector<SseEvent> out;
  p.feed(bytes, out);
  if (finish) p.finish(out);
  return out;
}

std::vector<SseEvent> parse_in_pieces(const std::string& bytes, const std::vector<size_t>& cuts) {
  SseParser p;
  std::vector<SseEvent> out;
  size_t prev = 0;
  for (size_t cut : cuts) {
    p.feed(std::string_view(bytes).substr(prev, cut - prev), out);
    prev = cut;
  }
  p.feed(std::string_view(bytes).substr(prev), out);
  p.finish(out);
  return out;
}

void expect_events(const std::vector<SseEvent>& got, const std::vector<SseEvent>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].type, want[i].type) << "event " << i;
    EXPECT_EQ(got[i].data, want[i].data) << "event " << i;
  }
}

TEST(SseParser, EventsEndAtBlankLines) {
  expect_events(parse_whole("data: {\"a\":1}\n\ndata: [DONE]\n\n"),
                {{"message", "{\"a\":1}"}, {"message", "[DONE]"}});
}

TEST(SseParser, CrLfAndLoneCrEndLines) {
  expect_events(parse_whole("data: a\r\n\r\ndata: b\r\rdata: c\n\r\n"),
                {{"message", "a"}, {"message", "b"}, {"message", "c"}});
}

TEST(SseParser, CommentsAndUnknownFieldsAreIgnored) {
  expect_events(parse_whole(": ping\n\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\n: bye\n\n"),
                {{"message", "x"}});
}

TEST(SseParser, MultipleDataLinesJoinWithNewline) {
  expect_events(parse_whole("data: one\ndata: two\ndata:\n\n"), {{"message", "one\ntwo\n"}});
}

TEST(SseParser, OnlyOneLeadingSpaceIsStripped) {
  expect_events(parse_whole("data:x\n\ndata:  y\n\n"), {{"message", "x"}, {"message", " y"}});
}

TEST(SseParser, FieldWithoutColonHasEmptyValue) {
  expect_events(parse_whole("data\n\n"), {{"message", ""}});
}

TEST(SseParser, BlankLinesWithoutDataDispatchNothing) {
  EXPECT_TRUE(parse_whole("\n\n\r\n: c\n\nevent: x\n\n").empty());
}

TEST(SseParser, EventTypeAppliesToOneEvent) {
  expect_events(parse_whole("event: error\ndata: {\"m\":1}\n\ndata: z\n\n"),
                {{"error", "{\"m\":1}"}, {"message", "z"}});
}

TEST(SseParser, LlamaCppErrorLineIsAnErrorEvent) {
  expect_events(parse_whole("data: {\"t\":1}\n\nerror: {\"message\":\"boom\"}\n\n"),
                {{"message", "{\"t\":1}"}, {"error", "{\"message\":\"boom\"}"}});
}

TEST(SseParser, LeadingBomIsSkippedEvenWhenSplit) {
  const std::string bytes =
      "\xEF\xBB\xBF"
      "data: a\n\n";
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    expect_events(parse_in_pieces(bytes, {cut}), {{"message", "a"}});
  }
  // A BOM later in the stream is data, not framing.
  expect_events(parse_whole("data: a\n\ndata: \xEF\xBB\xBF"
                            "b\n\n"),
                {{"message", "a"},
                 {"message",
                  "\xEF\xBB\xBF"
                  "b"}});
}

TEST(SseParser, FinishDispatchesAnUnterminatedLastEvent) {
  expect_events(parse_whole("data: a\n\ndata: [DONE]"), {{"message", "a"}, {"message", "[DONE]"}});
  expect_events(parse_whole("data: a\n\ndata: [DONE]\n"),
                {{"message", "a"}, {"message", "[DONE]"}});
  // Without finish() the unterminated event is still pending.
  expect_events(parse_whole("data: a\n\ndata: [DONE]", /*finish=*/false), {{"message", "a"}});
}

// A stream with every feature, fed as one piece, then split at every single position and at every
// pair of positions: the events must be identical each time.
TEST(SseParser, ArbitrarySplitsGiveTheSameEvents) {
  const std::string bytes =
      "\xEF\xBB\xBF: keep-alive\r\n\r\n"
      "data: {\"choices\":[{\"text\":\" h\xC3\xA9llo\"}]}\r\n\r\n"
      "event: update\ndata: line1\ndata: line2\n\n"
      "data: cr\r\r"
      "error: {\"message\":\"x\"}\n\n"
      "data: [DONE]\r\n\r\n";
  const std::vector<SseEvent> want = {{"message", "{\"choices\":[{\"text\":\" h\xC3\xA9llo\"}]}"},
                                      {"update", "line1\nline2"},
                                      {"message", "cr"},
                                      {"error", "{\"message\":\"x\"}"},
                                      {"message", "[DONE]"}};
  expect_events(parse_whole(bytes), want);
  for (size_t a = 0; a <= bytes.size(); ++a) {
    for (size_t b = a; b <= bytes.size(); ++b) {
      SCOPED_TRACE("cuts at " + std::to_string(a) + " and " + std::to_string(b));
      expect_events(parse_in_pieces(bytes, {a, b}), want);
    }
  }
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < bytes.size(); ++i) every_byte.push_back(i);
  expect_events(parse_in_pieces(bytes, every_byte), want);
}

}  // namespace
}  // namespace liftoff::tooling
