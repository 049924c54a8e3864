// Logging set-up: one named spdlog logger per layer ("engine", "server", ...), all writing to
// stderr so stdout stays clean for generated text and --json output.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace liftoff::base {

// Sets the level of every liftoff logger: "trace", "debug", "info", "warn", "error", "off".
// Returns false (and leaves the level unchanged) for an unknown name.
bool set_log_level(const std::string& level);

// The logger for a layer, created on first use. Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& layer);

}  // namespace liftoff::base
