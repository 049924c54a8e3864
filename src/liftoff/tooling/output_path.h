// check_output_path: the early "can this file be written at all" check shared by the tools that
// spend minutes before they write (synth, convert), so a typo fails before the work.
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"

namespace liftoff::tooling {

// kInvalidArgument if `path` is empty or a directory, or its folder is missing or not writable.
Status check_output_path(const std::filesystem::path& path);

}  // namespace liftoff::tooling
