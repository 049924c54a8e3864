// The subcommands. Each registers its flags on the app and sets `exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

namespace liftoff::cli {

void add_run_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_loadtest_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_perplexity_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_convert_command(CLI::App& app, int& exit_code);
void add_quantize_command(CLI::App& app, int& exit_code);
void add_prune_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
void add_distill_data_command(CLI::App& app, int& exit_code);
void add_synth_command(CLI::App& app, int& exit_code);

}  // namespace liftoff::cli
