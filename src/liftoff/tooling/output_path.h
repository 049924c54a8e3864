// check_output_path: the early "can this file be written at all" check shared by the tools that
// spend minutes before they write (synth, convert, quantize, prune), so a typo fails before the
// work.
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"

namespace liftoff::tooling {

// kInvalidArgument if `path` is empty or a directory, its folder is missing or not writable, or
// (when `input` is given) it names the input file: a tool never overwrites what it reads.
Status check_output_path(const std::filesystem::path& path,
                         const std::filesystem::path& input = {});

}  // namespace liftoff::tooling
