// The pokegan program's subcommands. Each add_* registers its subcommands on the app; the work is
// done by the library, these only parse and report.
#pragma once
#include <CLI/CLI.hpp>

namespace pokegan::cli {

void add_data_commands(CLI::App& app);
void add_train_command(CLI::App& app);
void add_sample_commands(CLI::App& app);
void add_eval_commands(CLI::App& app);
void add_bench_command(CLI::App& app);

}  // namespace pokegan::cli
