// Where tests find the shared models and llama.cpp reference outputs: $LIFTOFF_MODELS_DIR and
// $LIFTOFF_REFERENCE_DIR, defaulting to ../shared/{models,reference} beside the repo. Missing data
// is a test failure naming the path, never a silent skip.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace liftoff::testing {

inline std::filesystem::path env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::filesystem::path(v) : std::filesystem::path(fallback);
}

inline std::filesystem::path models_dir() {
  return env_or("LIFTOFF_MODELS_DIR", LIFTOFF_DEFAULT_MODELS_DIR);
}

inline std::filesystem::path reference_dir() {
  return env_or("LIFTOFF_REFERENCE_DIR", LIFTOFF_DEFAULT_REFERENCE_DIR);
}

// The whole file, or "" with `ok` false if it cannot be read.
inline std::string read_file(const std::filesystem::path& path, bool* ok = nullptr) {
  std::ifstream in(path, std::ios::binary);
  if (ok) *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace liftoff::testing
