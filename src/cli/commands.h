// The pokegan program's subcommands. Each add_* registers its subcommands on the app; the work is
// done by the library, these only parse and report.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace pokegan::cli {

// The program's own command line, as main() received it (train --nproc re-runs it per worker).
inline std::vector<std::string>& program_args() {
  static std::vector<std::string> args;
  return args;
}

void add_data_commands(CLI::App& app);
void add_train_command(CLI::App& app);
void add_sample_commands(CLI::App& app);
void add_eval_commands(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_serve_command(CLI::App& app);  // only where built with cpp-httplib (POKEGAN_HAVE_SERVER)

// Caps on the counts a user gives, named in --help and in the one-line error (CLI::Range).
constexpr int kMaxSteps = 100000000, kMaxEpochs = 1000000, kMaxBatch = 4096, kMaxImageSize = 512, kMaxThreads = 1024;
constexpr int kMaxEvalSamples = 100000, kMaxCols = 256;

// A seed: a whole number in 0..2^64-1 (so "-1" is refused, not wrapped).
inline CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos ||
            (s.size() == 20 && s > "18446744073709551615"))
          return "must be a whole number in 0..18446744073709551615, got '" + s + "'";
        return "";
      },
      "UINT64");
}

}  // namespace pokegan::cli
