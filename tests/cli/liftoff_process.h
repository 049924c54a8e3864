// Runs the `liftoff` binary under test as a real process, the way a user's shell would: stdout and
// stderr captured separately (through files in `scratch`, which must exist), stdin empty.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "test_data.h"

namespace liftoff::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if the process did not exit normally (e.g. a crash)
  std::string out;     // stdout
  std::string err;     // stderr
};

inline ProcessResult run_liftoff(const std::string& args, const std::filesystem::path& scratch) {
  const auto out_path = scratch / "liftoff.stdout", err_path = scratch / "liftoff.stderr";
  const std::string cmd = std::string(LIFTOFF_BINARY) + " " + args + " > " + out_path.string() +
                          " 2> " + err_path.string() + " < /dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace liftoff::testing
