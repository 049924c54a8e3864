// Named stderr loggers sharing one sink and one level.
#include "liftoff/base/log.h"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace liftoff::base {
namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

spdlog::level::level_enum& current_level() {
  static spdlog::level::level_enum level = spdlog::level::warn;
  return level;
}

}  // namespace

bool set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") return false;
  std::lock_guard lock(registry_mutex());
  current_level() = parsed;
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return true;
}

std::shared_ptr<spdlog::logger> logger(const std::string& layer) {
  std::lock_guard lock(registry_mutex());
  if (auto existing = spdlog::get(layer)) return existing;
  auto created = spdlog::stderr_color_mt(layer);
  created->set_level(current_level());
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  return created;
}

}  // namespace liftoff::base
