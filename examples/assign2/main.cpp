// assign2: bigWig tracks over one region -> smooth NMF (HALS + fused lasso, λ by cross-validation) -> W as .npy.
//
//   assign2 -b DIR -c CHROM [-s START] [-e END] -k K -o OUT.npy [options]
//
// Every bigWig file in DIR is read over CHROM:[START, END) as run-length segments, transformed,
// scaled per track (bins under --exclude or without data under --missing mask are left out), λ is
// chosen by cross-validation unless given, NMF<FusedLasso<float>> is fitted on the segments, and W is
// expanded to (END - START) x K and written as float32 (or float64) .npy. Progress goes to stderr.
//
// This file binds the flags (flags.hpp, settings.hpp) and runs the stages (stages.hpp lists them, a file
// each). Built with FUSEDNMF_ASSIGN2_MPI it is assign2_mpi: one factorization over all MPI ranks.
#include <iostream>

#include <CLI/CLI.hpp>

#include <fusednmf/io/output_set.hpp>
#ifdef FUSEDNMF_ASSIGN2_MPI
#include <fusednmf/mpi/allreduce.hpp>
#include <fusednmf/mpi/session.hpp>
#endif

#include "flags.hpp"
#include "settings.hpp"
#include "stages.hpp"

int main(int argc, char** argv) {
  using namespace fusednmf;
#ifdef FUSEDNMF_ASSIGN2_MPI
  const mpi::Session session(argc, argv);
#endif
  io::remove_temporaries_on_signal();  // SIGINT/SIGTERM leave no TARGET.tmp-XXXXXX behind
  assign2::Settings s;
  CLI::App app{"assign2: smooth NMF of bigWig tracks over one region (HALS + fused lasso); writes W as .npy"};
  app.get_formatter()->column_width(34);
  assign2::add_flags(app, s);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
#ifdef FUSEDNMF_ASSIGN2_MPI
    ProcessGroup procs{session.rank(), session.size(), mpi::allreduce_sum(MPI_COMM_WORLD)};
    if (procs.size == 1) procs.reduce = {};
    return assign2::run(s, procs);
#else
    return assign2::run(s, ProcessGroup{});
#endif
  } catch (const std::exception& e) {
    std::cerr << "assign2: error: " << e.what() << std::endl;
    return 1;
  }
}
