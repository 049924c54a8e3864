// SAX handler: a small DOM builder that diverts model.vocab and model.merges into vectors.
#include "liftoff/tokenizer/hf_json_reader.h"

namespace liftoff::tokenizer {

namespace {

using nlohmann::json;

class Reader : public nlohmann::json_sax<json> {
 public:
  explicit Reader(HfTokenizerJson& out) : out_(out) {}

  const std::string& error() const { return error_; }

  bool null() override { return value(json()); }
  bool boolean(bool v) override { return value(json(v)); }
  bool number_integer(number_integer_t v) override {
    if (mode_ == Mode::kVocab) {
      out_.vocab.emplace_back(std::move(key_), v);
      return true;
    }
    return value(json(v));
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (mode_ == Mode::kVocab) {
      if (v > static_cast<number_unsigned_t>(INT64_MAX)) return fail("a vocab id is too large");
      out_.vocab.emplace_back(std::move(key_), static_cast<int64_t>(v));
      return true;
    }
    return value(json(v));
  }
  bool number_float(number_float_t v, const string_t&) override { return value(json(v)); }
  bool string(string_t& v) override {
    if (mode_ == Mode::kMerges) {
      const size_t space = v.find(' ', 1);
      if (space == std::string::npos) return fail("merge '" + v + "' is not \"a b\"");
      out_.merges.emplace_back(v.substr(0, space), v.substr(space + 1));
      return true;
    }
    if (mode_ == Mode::kMergePair) {
      pair_.push_back(std::move(v));
      return pair_.size() <= 2 || fail("a merge has more than two parts");
    }
    return value(json(std::move(v)));
  }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) override {
    if (mode_ != Mode::kDom) return fail("unexpected object in model.vocab or model.merges");
    if (path_is("vocab")) {
      mode_ = Mode::kVocab;
      out_.has_vocab = true;
      depth_.push_back(nullptr);
      return true;
    }
    return open(json::object());
  }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool end_object() override {
    if (mode_ == Mode::kVocab) mode_ = Mode::kDom;
    return close();
  }
  bool start_array(std::size_t) override {
    if (mode_ == Mode::kMerges) {
      mode_ = Mode::kMergePair;
      pair_.clear();
      return true;
    }
    if (mode_ != Mode::kDom) return fail("unexpected array in model.vocab or model.merges");
    if (path_is("merges")) {
      mode_ = Mode::kMerges;
      out_.has_merges = true;
      depth_.push_back(nullptr);
      return true;
    }
    return open(json::array());
  }
  bool end_array() override {
    if (mode_ == Mode::kMergePair) {
      if (pair_.size() != 2) return fail("a merge is not a pair of strings");
      out_.merges.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
      mode_ = Mode::kMerges;
      return true;
    }
    if (mode_ == Mode::kMerges) mode_ = Mode::kDom;
    return close();
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    if (error_.empty()) error_ = "at byte " + std::to_string(position) + ": " + e.what();
    return false;
  }

 private:
  enum class Mode { kDom, kVocab, kMerges, kMergePair };

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  // True when the container about to open is model.<name> (depth: root object, "model" object).
  bool path_is(std::string_view name) const {
    return depth_.size() == 2 && key_ == name && keys_.size() == 2 && keys_[1] == "model";
  }

  // Places `v` in the open container (or as the root) and returns where it went.
  json* place(json v) {
    if (depth_.empty()) {
      out_.rest = std::move(v);
      return &out_.rest;
    }
    json* parent = depth_.back();
    if (parent->is_array()) {
      parent->push_back(std::move(v));
      return &parent->back();
    }
    json& slot = (*parent)[key_];
    slot = std::move(v);
    return &slot;
  }

  bool value(json v) {
    if (mode_ != Mode::kDom) return fail("unexpected value in model.vocab or model.merges");
    place(std::move(v));
    return true;
  }

  bool open(json container) {
    const std::string key = depth_.empty() || depth_.back()->is_array() ? "" : key_;
    depth_.push_back(place(std::move(container)));
    keys_.push_back(key);
    return true;
  }

  bool close() {
    if (depth_.empty()) return fail("unbalanced JSON");
    // Diverted containers were pushed as nullptr and have no entry in keys_.
    if (depth_.back() != nullptr) keys_.pop_back();
    depth_.pop_back();
    return true;
  }

  HfTokenizerJson& out_;
  Mode mode_ = Mode::kDom;
  std::vector<json*> depth_;       // open containers; nullptr for a diverted one
  std::vector<std::string> keys_;  // key each open (non-diverted) container sits under
  std::string key_;                // the last key read
  std::vector<std::string> pair_;  // parts of an ["a", "b"] merge being read
  std::string error_;
};

}  // namespace

Result<HfTokenizerJson> parse_hf_tokenizer_json(std::string_view text, const std::string& source) {
  HfTokenizerJson out;
  Reader reader(out);
  bool ok = false;
  try {
    ok = json::sax_parse(text, &reader);
  } catch (const json::exception& e) {
    return Status::corrupt_data(source + " is not valid JSON: " + e.what());
  }
  if (!ok) {
    return Status::corrupt_data(source + " is not a valid tokenizer.json: " + reader.error());
  }
  return out;
}

}  // namespace liftoff::tokenizer
