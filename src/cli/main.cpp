// pokegan: train class-conditional GANs on Pokémon sprites and generate new ones by type.
// This file only wires the subcommands together and turns failures into one-line errors.
#include <c10/util/Exception.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "pokegan/common/blas_env.h"
#include "pokegan/common/error.h"
#include "pokegan/common/memory.h"
#include "pokegan/common/threads.h"

namespace {
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }
}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) makes writes fail with EFBIG, reported as an error, instead of
  // killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  pokegan::retune_blas_or_continue(argv);  // may re-exec once with OPENBLAS_CORETYPE set
  pokegan::keep_freed_memory_in_heap();
  pokegan::cli::program_args().assign(argv, argv + argc);     // no mmap/munmap of activation buffers every step
  CLI::App app{"pokegan: class-conditional GANs that generate Pokémon sprites of a chosen type"};
  app.require_subcommand(1);
  app.fallthrough();
  // Parse errors as one line, like every other error.
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return std::string("error: ") + e.what() + " (see --help)\n"; });
  int threads = 0;
  app.add_option("--threads", threads, "LibTorch threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, pokegan::cli::kMaxThreads));
  app.parse_complete_callback([&] { pokegan::set_threads(threads); });
  pokegan::cli::add_data_commands(app);
  pokegan::cli::add_train_command(app);
  pokegan::cli::add_sample_commands(app);
  pokegan::cli::add_eval_commands(app);
  pokegan::cli::add_bench_command(app);
#ifdef POKEGAN_HAVE_SERVER
  pokegan::cli::add_serve_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const pokegan::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "error: %s\n", first_line(e.what_without_backtrace()).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", first_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
