// Where the formats tests find shared models (LIFTOFF_MODELS_DIR, else the build's default) and
// small helpers to read and write whole files. Missing data is a test failure, never a skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../test_data.h"  // the shared data locations

namespace liftoff::formats::testing {

using ::liftoff::testing::models_dir;

// models_dir()/relative; records a failure naming the full path if the file is not there.
inline std::filesystem::path model_path(const std::string& relative) {
  std::filesystem::path p = models_dir() / relative;
  EXPECT_TRUE(std::filesystem::is_regular_file(p))
      << "missing test data: " << p << " (set LIFTOFF_MODELS_DIR to the shared models folder)";
  return p;
}

inline std::vector<uint8_t> read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_all(const std::filesystem::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << p;
}

// A fresh empty directory under the gtest temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "liftoff_formats_XXXXXX";
    path_ =
        ::mkdtemp(tmpl.data()) != nullptr ? std::filesystem::path(tmpl) : std::filesystem::path();
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed under " << ::testing::TempDir();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  size_t n_entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
    return n;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace liftoff::formats::testing
