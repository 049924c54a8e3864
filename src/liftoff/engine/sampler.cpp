// Sampler: raw logprobs, logit bias, penalties, the llama.cpp-ordered truncation chain and one
// seeded draw per token. Holds only per-request scratch; it never sees the model or the KV cache.
#include "liftoff/engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>  // snprintf
#include <limits>
#include <string>

#include "liftoff/engine/sampler_exp.h"

namespace liftoff::engine {
namespace {

using Candidate = std::pair<float, int32_t>;  // (logit, token id)

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr int32_t kMaxTopLogprobs = 20;  // OpenAI's limit for top_logprobs
// Up to this k, top-k streams the logits through a heap of k (one compare per logit for most);
// above it, filling the whole buffer and running nth_element is cheaper.
constexpr size_t kMaxHeapK = 1024;
// The nucleus search partitions until this many candidates are left, then sorts them.
constexpr size_t kNucleusSortBelow = 64;
// Partition rounds before the nucleus search gives up on pivots and sorts what is left.
constexpr int kNucleusMaxRounds = 64;

// The one ranking used everywhere: higher logit first, then lower id. Being a total order, every
// selection and sort below has exactly one result, whichever standard library runs it.
bool better(const Candidate& a, const Candidate& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

// A NaN logit (a model bug) would break the ordering above; rank it below every real value.
float sanitized(float x) { return std::isnan(x) ? kNegInf : x; }

// Uniform in [0, 1) from the top 53 bits. std::uniform_real_distribution is implementation-
// defined; this and mt19937_64 (fully specified by the standard) give one stream everywhere.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Status out_of_range(const std::string& field, const std::string& range, double got) {
  return Status::invalid_argument(field + " must be " + range + ", got " + number(got));
}

// Grows `v` geometrically, so a window that lengthens by one token per step reallocates rarely.
template <typename T>
void reserve_geometric(std::vector<T>& v, size_t n) {
  if (v.capacity() < n) v.reserve(std::max(n, 2 * v.capacity()));
}

// cands = the k best tokens under `better`, best first. 1 <= k <= logits.size().
void select_top(std::span<const float> logits, size_t k, std::vector<Candidate>& cands) {
  cands.resize(k <= kMaxHeapK ? k : logits.size());
  for (size_t i = 0; i < cands.size(); ++i) {
    cands[i] = {sanitized(logits[i]), static_cast<int32_t>(i)};
  }
  if (k > kMaxHeapK) {
    if (k < cands.size()) std::nth_element(cands.begin(), cands.begin() + k, cands.end(), better);
    cands.resize(k);
    std::sort(cands.begin(), cands.end(), better);
    return;
  }
  // A heap ordered by `better` has the worst kept token at its front. Ids arrive ascending, so a
  // later token beats the front only with a strictly larger logit (ties keep the lower id), and
  // most logits cost one float compare. NaN compares false and never enters.
  std::make_heap(cands.begin(), cands.end(), better);
  float threshold = cands.front().first;
  for (size_t i = k; i < logits.size(); ++i) {
    if (logits[i] > threshold) {
      std::pop_heap(cands.begin(), cands.end(), better);
      cands.back() = {logits[i], static_cast<int32_t>(i)};
      std::push_heap(cands.begin(), cands.end(), better);
      threshold = cands.front().first;
    }
  }
  std::sort_heap(cands.begin(), cands.end(), better);
}

// cands = tokens with logit >= threshold, in id order (NaN never passes).
void collect_at_least(std::span<const float> logits, float threshold,
                      std::vector<Candidate>& cands) {
  cands.clear();
  for (size_t i = 0; i < logits.size(); ++i) {
    if (logits[i] >= threshold) cands.push_back({logits[i], static_cast<int32_t>(i)});
  }
}

// Lowest id among the largest logits (NaN ignored; 0 if every logit is NaN).
int32_t argmax(std::span<const float> logits) {
  const float max = max_value(logits);
  const auto it = std::find(logits.begin(), logits.end(), max);
  return it == logits.end() ? 0 : static_cast<int32_t>(it - logits.begin());
}

// Adds each logit_bias entry, recording the prior value in `saved` for the caller to restore.
// Ids were range-checked by validate() (the constructor CHECKs it).
void apply_logit_bias(const SamplingParams& p, std::span<float> logits,
                      std::vector<std::pair<int32_t, float>>& saved) {
  for (const auto& [id, bias] : p.logit_bias) {
    saved.emplace_back(id, logits[id]);
    logits[id] += bias;
  }
}

// Repetition (CTRL, with llama.cpp's sign fix: divide a positive logit, multiply a negative
// one), frequency (count * f) and presence (p once) penalties over the last penalty_last_n
// tokens of `history`. Counting sorts a copy of the window: memory follows the window, not the
// vocabulary, and nothing depends on what earlier calls saw.
void apply_penalties(const SamplingParams& p, std::span<float> logits,
                     std::span<const int32_t> history, std::vector<int32_t>& window,
                     std::vector<std::pair<int32_t, float>>& saved) {
  const bool active =
      p.repetition_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f;
  if (!active || p.penalty_last_n == 0 || history.empty()) return;
  const size_t n = p.penalty_last_n < 0
                       ? history.size()
                       : std::min(history.size(), static_cast<size_t>(p.penalty_last_n));
  reserve_geometric(window, n);
  window.assign(history.end() - static_cast<std::ptrdiff_t>(n), history.end());
  std::sort(window.begin(), window.end());
  for (size_t i = 0; i < window.size();) {
    const int32_t id = window[i];
    size_t j = i + 1;
    while (j < window.size() && window[j] == id) ++j;
    // History holds tokens the engine produced or validated at admission; anything else is a bug.
    LIFTOFF_CHECK(id >= 0 && static_cast<size_t>(id) < logits.size());
    const float count = static_cast<float>(j - i);
    float& l = logits[id];
    saved.emplace_back(id, l);
    l = l <= 0.0f ? l * p.repetition_penalty : l / p.repetition_penalty;
    l -= count * p.frequency_penalty + p.presence_penalty;
    i = j;
  }
}

// top_p on a best-first list: keeps the shortest prefix whose temperature-1 probability reaches
// top_p (at least one token).
void keep_nucleus_sorted(float top_p, std::vector<Candidate>& cands) {
  const float max = cands[0].first;
  double total = 0.0;
  for (const Candidate& c : cands) total += exp_nonpositive(c.first - max);
  const double target = static_cast<double>(top_p) * total;
  double cum = 0.0;
  for (size_t i = 0; i < cands.size(); ++i) {
    cum += exp_nonpositive(cands[i].first - max);
    if (cum >= target) {  // false throughout only for inf/NaN logits: keep everything
      cands.resize(i + 1);
      return;
    }
  }
}

// top_p on an unordered list: moves the shortest best-first prefix whose weight reaches
// `target` (> 0) to the front of cands and returns its length, or cands.size() if all of cands
// weighs less. weights[id] is each token's temperature-1 weight.
//
// Quickselect on mass: partition around a pivot and keep the side where the target is crossed,
// so even a flat distribution costs O(n), not a sort of the vocabulary. The set found is unique
// (`better` is a total order), and its order in cands comes from this code alone.
size_t select_nucleus(std::vector<Candidate>& cands, std::span<const float> weights,
                      double target) {
  // Invariant: cands[0, lo) beat everything after them and weigh `below` < target in total; the
  // answer lies in (lo, hi].
  size_t lo = 0;
  size_t hi = cands.size();
  double below = 0.0;
  for (int round = 0; hi - lo > kNucleusSortBelow && round < kNucleusMaxRounds; ++round) {
    // Median of three by position, moved to hi - 1.
    const size_t mid = lo + (hi - lo) / 2;
    if (better(cands[mid], cands[lo])) std::swap(cands[mid], cands[lo]);
    if (better(cands[hi - 1], cands[lo])) std::swap(cands[hi - 1], cands[lo]);
    if (better(cands[mid], cands[hi - 1])) std::swap(cands[mid], cands[hi - 1]);
    const Candidate pivot = cands[hi - 1];
    size_t split = lo;
    double mass = 0.0;
    for (size_t i = lo; i + 1 < hi; ++i) {
      if (better(cands[i], pivot)) {
        mass += weights[cands[i].second];
        std::swap(cands[i], cands[split++]);
      }
    }
    std::swap(cands[split], cands[hi - 1]);  // pivot at `split`, the better ones before it
    if (below + mass >= target) {            // mass > 0 here, so split > lo
      hi = split;
      continue;
    }
    below += mass + weights[pivot.second];
    if (below >= target) return split + 1;
    lo = split + 1;
  }
  const auto first = cands.begin() + static_cast<std::ptrdiff_t>(lo);
  std::sort(first, cands.begin() + static_cast<std::ptrdiff_t>(hi), better);
  for (size_t i = lo; i < hi; ++i) {
    below += weights[cands[i].second];
    if (below >= target) return i + 1;
  }
  return hi;
}

// Keeps tokens with p >= min_p * p_max at temperature 1, i.e. logit >= max + log(min_p). The
// best token always passes. Preserves the order of cands.
void keep_min_p(float min_p, float max, std::vector<Candidate>& cands) {
  const float threshold = max + std::log(min_p);
  size_t kept = 0;
  for (const Candidate& c : cands) {
    if (c.first >= threshold) cands[kept++] = c;
  }
  cands.resize(kept);
}

// Index i of `weights` with cum(i - 1) <= target < cum(i), target = u * total: the draw.
// A zero-weight entry is never chosen; if u * total rounds up to total, the last positive one is.
template <typename WeightOf>
size_t draw_index(size_t n, WeightOf weight_of, double total, double u) {
  const double target = u * total;
  double cum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    cum += weight_of(i);
    if (cum > target) return i;
  }
  for (size_t i = n; i-- > 0;) {
    if (weight_of(i) > 0.0f) return i;
  }
  return 0;
}

// Temperature, softmax and the draw over a truncated list whose best logit is `max`.
int32_t draw_candidates(std::vector<Candidate>& cands, float max, float inv_temperature, double u) {
  double total = 0.0;
  for (Candidate& c : cands) {  // the weight replaces the logit
    c.first = exp_nonpositive((c.first - max) * inv_temperature);
    total += c.first;
  }
  if (!(total > 0.0)) return cands[0].second;  // only from inf/NaN logits
  return cands[draw_index(
                   cands.size(), [&](size_t i) { return cands[i].first; }, total, u)]
      .second;
}

// The non-greedy chain on the biased, penalised logits: top_k -> top_p -> min_p -> temperature
// -> softmax -> draw with `u` in [0, 1). Every order the candidates can end in (id order, best
// first, the nucleus search's) is fixed by the logits and this code, not by the standard
// library, so the same logits and u pick the same token on every platform.
int32_t sample_truncated(const SamplingParams& p, std::span<const float> logits, double u,
                         std::vector<Candidate>& cands, std::vector<float>& weights) {
  const float inv_temperature = 1.0f / p.temperature;
  const size_t n_vocab = logits.size();
  if (p.top_k > 0 && static_cast<size_t>(p.top_k) < n_vocab) {
    select_top(logits, static_cast<size_t>(p.top_k), cands);
    if (p.top_p < 1.0f) keep_nucleus_sorted(p.top_p, cands);
    if (p.min_p > 0.0f) keep_min_p(p.min_p, cands[0].first, cands);
    return draw_candidates(cands, cands[0].first, inv_temperature, u);
  }

  // Whole vocabulary: weigh the logits array directly, candidates only for what survives.
  const float max = max_value(logits);
  if (!std::isfinite(max)) return argmax(logits);  // inf/NaN logits: nothing to weigh
  weights.resize(n_vocab);
  if (p.top_p >= 1.0f && p.min_p <= 0.0f) {
    const double total = exp_weights(logits, max, inv_temperature, weights);
    return static_cast<int32_t>(draw_index(
        n_vocab, [&](size_t i) { return weights[i]; }, total, u));
  }
  // top_p and min_p each keep a best-first prefix, top_p's measured over all of the vocabulary
  // (llama.cpp applies it first), so the result is the shorter prefix: filter by min_p, which is
  // cheap and usually leaves few tokens, then look for the nucleus among those.
  collect_at_least(logits, p.min_p > 0.0f ? max + std::log(p.min_p) : kNegInf, cands);
  if (p.top_p < 1.0f) {
    const double total = exp_weights(logits, max, 1.0f, weights);  // >= 1: the best weighs 1
    cands.resize(select_nucleus(cands, weights, static_cast<double>(p.top_p) * total));
  }
  return draw_candidates(cands, max, inv_temperature, u);
}

}  // namespace

Status SamplingParams::validate(size_t n_vocab) const {
  // Written as !(in range) so that NaN is rejected too.
  if (!(temperature >= 0.0f && temperature <= 2.0f)) {
    return out_of_range("temperature", "between 0 and 2", temperature);
  }
  if (!(top_p > 0.0f && top_p <= 1.0f)) {
    return out_of_range("top_p", "greater than 0 and at most 1", top_p);
  }
  if (!(min_p >= 0.0f && min_p <= 1.0f)) return out_of_range("min_p", "between 0 and 1", min_p);
  if (top_k < -1) {
    return out_of_range("top_k", "a positive number of tokens, or 0 or -1 to disable it", top_k);
  }
  if (!(repetition_penalty > 0.0f && std::isfinite(repetition_penalty))) {
    return out_of_range("repetition_penalty", "a finite number greater than 0", repetition_penalty);
  }
  if (!(frequency_penalty >= -2.0f && frequency_penalty <= 2.0f)) {
    return out_of_range("frequency_penalty", "between -2 and 2", frequency_penalty);
  }
  if (!(presence_penalty >= -2.0f && presence_penalty <= 2.0f)) {
    return out_of_range("presence_penalty", "between -2 and 2", presence_penalty);
  }
  if (penalty_last_n < -1) {
    return out_of_range("penalty_last_n", "-1 (whole sequence), 0 (off) or a window length",
                        penalty_last_n);
  }
  for (const auto& [id, bias] : logit_bias) {
    if (id < 0 || static_cast<size_t>(id) >= n_vocab) {
      return Status::invalid_argument("logit_bias: token id " + std::to_string(id) +
                                      " is outside the vocabulary of " + std::to_string(n_vocab) +
                                      " tokens (ids 0 to " +
                                      std::to_string(static_cast<int64_t>(n_vocab) - 1) + ")");
    }
    if (!(bias >= -100.0f && bias <= 100.0f)) {
      return out_of_range("logit_bias: bias for token " + std::to_string(id),
                          "between -100 and 100", bias);
    }
  }
  if (n_top_logprobs < 0 || n_top_logprobs > kMaxTopLogprobs) {
    return out_of_range("top_logprobs", "between 0 and 20", n_top_logprobs);
  }
  return Status::ok();
}

Sampler::Sampler(SamplingParams params, size_t n_vocab)
    : params_(std::move(params)), n_vocab_(n_vocab), rng_(params_.seed) {
  LIFTOFF_CHECK(n_vocab_ > 0 && n_vocab_ <= static_cast<size_t>(INT32_MAX));
  // Requests are validated at admission; unchecked logit_bias ids would write past the logits.
  LIFTOFF_CHECK(params_.validate(n_vocab_).is_ok());
}

SampledToken Sampler::sample(std::span<float> logits, std::span<const int32_t> history) {
  LIFTOFF_CHECK(logits.size() == n_vocab_);
  SampledToken out;

  // Raw log-partition: log_z = max + log(sum e^(l - max)); NaN logits count as -inf.
  const float max = max_value(logits);
  const double log_z = static_cast<double>(max) + std::log(sum_exp(logits, max));

  if (params_.n_top_logprobs > 0) {
    const size_t n_top = std::min(static_cast<size_t>(params_.n_top_logprobs), n_vocab_);
    select_top(logits, n_top, candidates_);
    out.top.reserve(n_top);
    for (const auto& [logit, id] : candidates_) {
      out.top.push_back({id, static_cast<float>(static_cast<double>(logit) - log_z)});
    }
  }

  saved_.clear();
  apply_logit_bias(params_, logits, saved_);
  apply_penalties(params_, logits, history, window_, saved_);

  // A subnormal temperature overflows 1/T (and 0 * inf is NaN): it is greedy in all but name.
  if (params_.temperature == 0.0f || !std::isfinite(1.0f / params_.temperature)) {
    out.token = argmax(logits);
  } else {
    // Drawn on every non-greedy call, so the stream stays aligned however many tokens survive.
    const double u = uniform01(rng_);
    out.token = sample_truncated(params_, logits, u, candidates_, weights_);
  }

  // Restore the raw logits, newest change first, so an id touched twice gets its first value.
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) logits[it->first] = it->second;
  out.logprob = static_cast<float>(static_cast<double>(sanitized(logits[out.token])) - log_z);
  return out;
}

}  // namespace liftoff::engine
