// liftoff: the command-line entry point. Each subcommand lives in its own file in cli/.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "liftoff/base/log.h"
#include "liftoff/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"liftoff: from a trained model file to a fast, safe OpenAI-compatible service"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "liftoff 0.1.0");
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (logs go to stderr)")
      ->envname("LIFTOFF_LOG_LEVEL");
  app.parse_complete_callback([&] {
    if (!liftoff::base::set_log_level(log_level)) {
      throw CLI::ValidationError("--log-level", "unknown level '" + log_level + "'");
    }
  });

  int exit_code = 0;
  liftoff::cli::add_run_command(app, exit_code);
  liftoff::cli::add_serve_command(app, exit_code);
  liftoff::cli::add_loadtest_command(app, exit_code);
  liftoff::cli::add_bench_command(app, exit_code);
  liftoff::cli::add_perplexity_command(app, exit_code);
  liftoff::cli::add_inspect_command(app, exit_code);
  liftoff::cli::add_convert_command(app, exit_code);
  liftoff::cli::add_quantize_command(app, exit_code);
  liftoff::cli::add_prune_command(app, exit_code);
  liftoff::cli::add_compare_command(app, exit_code);
  liftoff::cli::add_distill_data_command(app, exit_code);
  liftoff::cli::add_synth_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
