// Word-list prompt generation for the load generator.
#include "liftoff/tooling/loadtest_prompts.h"

#include <iterator>  // std::size
#include <random>

namespace liftoff::tooling {
namespace {

// 454 distinct words, most frequent first.
// clang-format off
constexpr std::string_view kWords[] = {
    "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "it", "his",
    "he", "at", "by", "from", "her", "had", "are", "be", "this", "not", "but", "have", "they",
    "or", "one", "you", "all", "were", "which", "she", "an", "we", "their", "there", "been",
    "has", "more", "if", "when", "would", "so", "no", "who", "will", "what", "out", "up", "about",
    "into", "them", "can", "only", "other", "its", "time", "new", "some", "could", "these", "two",
    "may", "first", "then", "do", "any", "like", "my", "now", "over", "such", "our", "man", "me",
    "even", "most", "made", "after", "also", "did", "many", "before", "must", "through", "back",
    "years", "where", "much", "your", "way", "well", "down", "should", "because", "each", "just",
    "those", "people", "how", "too", "little", "state", "good", "very", "make", "world", "still",
    "own", "see", "men", "work", "long", "get", "here", "between", "both", "life", "being",
    "under", "never", "day", "same", "another", "know", "while", "last", "might", "us", "great",
    "old", "year", "off", "come", "since", "against", "go", "came", "right", "used", "take",
    "three", "small", "house", "set", "part", "found", "place", "high", "end", "put", "home",
    "read", "hand", "large", "add", "land", "big", "follow", "act", "why", "ask", "change",
    "went", "light", "kind", "need", "try", "again", "animal", "point", "mother", "near", "build",
    "self", "earth", "father", "head", "stand", "page", "country", "answer", "school", "grow",
    "study", "learn", "plant", "cover", "food", "sun", "four", "keep", "eye", "let", "thought",
    "city", "tree", "cross", "farm", "hard", "start", "story", "saw", "far", "sea", "draw",
    "left", "late", "run", "press", "close", "night", "real", "few", "north", "open", "seem",
    "together", "next", "white", "children", "begin", "got", "walk", "example", "ease", "paper",
    "group", "always", "music", "mark", "often", "letter", "until", "mile", "river", "car",
    "feet", "care", "second", "book", "carry", "took", "science", "eat", "room", "friend",
    "began", "idea", "fish", "mountain", "stop", "once", "base", "hear", "horse", "cut", "sure",
    "watch", "color", "face", "wood", "main", "enough", "plain", "girl", "usual", "young",
    "ready", "above", "ever", "red", "list", "though", "feel", "talk", "bird", "soon", "body",
    "dog", "family", "direct", "pose", "leave", "song", "measure", "door", "product", "black",
    "short", "class", "wind", "question", "happen", "complete", "ship", "area", "half", "rock",
    "order", "fire", "south", "problem", "piece", "told", "knew", "pass", "top", "whole", "king",
    "space", "heard", "best", "hour", "better", "true", "during", "hundred", "five", "remember",
    "step", "early", "hold", "west", "ground", "interest", "reach", "fast", "verb", "sing",
    "listen", "six", "table", "travel", "less", "morning", "ten", "simple", "several", "toward",
    "war", "lay", "pattern", "slow", "center", "love", "person", "money", "serve", "appear",
    "road", "map", "rain", "rule", "govern", "pull", "cold", "notice", "voice", "unit", "power",
    "town", "fine", "certain", "fly", "fall", "lead", "cry", "dark", "machine", "note", "wait",
    "plan", "figure", "star", "box", "field", "rest", "correct", "able", "done", "beauty",
    "drive", "stood", "contain", "front", "teach", "week", "final", "gave", "green", "quick",
    "develop", "ocean", "warm", "free", "minute", "strong", "special", "mind", "behind", "clear",
    "tail", "produce", "fact", "street", "multiply", "nothing", "course", "stay", "wheel", "full",
    "force", "blue", "object", "decide", "surface", "deep", "moon", "island", "foot", "system",
    "busy", "test", "record", "boat", "common", "gold", "possible", "plane", "dry", "wonder",
    "laugh", "thousand", "ago", "ran", "check", "game", "shape", "yes", "hot", "miss", "brought",
    "heat", "snow", "bring", "distant", "fill", "east", "paint", "language", "among",
};
// clang-format on
constexpr uint64_t kNumWords = std::size(kWords);

// A generator that depends on both the run's seed and `stream` (a request index or a marker).
std::mt19937_64 make_rng(uint64_t seed, uint64_t stream) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)};
  return std::mt19937_64(seq);
}

void append_word(std::string& out, std::string_view word) {
  if (!out.empty()) out.push_back(' ');
  out.append(word);
}

void append_random_words(std::string& out, int64_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<uint64_t> pick(0, kNumWords - 1);
  for (int64_t i = 0; i < n; ++i) append_word(out, kWords[pick(rng)]);
}

// Marks the PRNG stream of the shared prefix; request indices never reach it.
constexpr uint64_t kSharedStream = ~uint64_t{0};

}  // namespace

std::string Prompt::text() const {
  if (shared.empty()) return unique;
  if (unique.empty()) return shared;
  return shared + " " + unique;
}

Prompt make_word_prompt(const PromptSpec& spec, uint64_t index) {
  Prompt p;
  if (spec.n_shared > 0) {
    auto rng = make_rng(spec.seed, kSharedStream);
    append_random_words(p.shared, spec.n_shared, rng);
  }
  int64_t n_unique = spec.n_words - spec.n_shared;
  const uint64_t x = index + spec.seed % (kNumWords * kNumWords);
  if (n_unique > 0) append_word(p.unique, kWords[x % kNumWords]), --n_unique;
  if (n_unique > 0) append_word(p.unique, kWords[(x / kNumWords) % kNumWords]), --n_unique;
  auto rng = make_rng(spec.seed, index);
  append_random_words(p.unique, n_unique, rng);
  return p;
}

std::span<const std::string_view> prompt_words() { return kWords; }

}  // namespace liftoff::tooling
