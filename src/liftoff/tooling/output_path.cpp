// check_output_path: existence and write permission of the output's folder, not the input.
#include "liftoff/tooling/output_path.h"

#include <unistd.h>  // access

namespace liftoff::tooling {

Status check_output_path(const std::filesystem::path& path, const std::filesystem::path& input) {
  if (path.empty()) return Status::invalid_argument("no output file given");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_argument("output " + path.string() + " is a directory");
  }
  if (!input.empty() && (path == input || std::filesystem::equivalent(input, path, ec))) {
    return Status::invalid_argument("output " + path.string() +
                                    " is the input file; write to another path");
  }
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::invalid_argument("output folder " + dir.string() + " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return Status::invalid_argument("output folder " + dir.string() + " is not writable");
  }
  return Status::ok();
}

}  // namespace liftoff::tooling
