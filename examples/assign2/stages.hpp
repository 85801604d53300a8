#pragma once
// assign2's stages, one file each, compiled once for both assign2 and assign2_mpi:
//
//   run.cpp            the flags checked, then the stages below in order
//   read_tracks.cpp    bigWig files -> run-length tracks (io/genome_reader.hpp), with reports of what
//                      was clipped, missing, excluded or empty, and the output size checked
//   (preprocess.hpp)   bin -> smooth -> merge -> transform -> scale, called from run.cpp
//   fit_factors.cpp    λ by cross-validation unless given (lambda_cv.hpp), then
//                      NMF<FusedLasso<float>> on the segments (nmf.hpp)
//   write_outputs.cpp  W per chromosome, H, the plot and the factor tracks, put in place as one set
//
// main.cpp parses the flags into Settings and calls run().
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <fusednmf/genome.hpp>
#include <fusednmf/io/genome_reader.hpp>
#include <fusednmf/io/output_set.hpp>
#include <fusednmf/nmf.hpp>
#include <fusednmf/preprocess.hpp>
#include <fusednmf/reducer.hpp>

#include "settings.hpp"

namespace assign2 {

/// What every stage of one run shares.
struct Run {
  Run(const Settings& settings, const ProcessGroup& group) : s(settings), procs(group) {}
  const Settings& s;
  const ProcessGroup& procs;
  const std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::vector<fs::path> files;           ///< the bigWig files, in column order
  std::vector<std::string> chromosomes;  ///< as asked (-c)
  bool several = false;                  ///< more than one chromosome: a W file each
  bool w_per_bin = false;                ///< --w-resolution bin
  bool masking = false;                  ///< entries can be missing (--missing mask or --exclude)
  io::OutputSet outputs;                 ///< every output staged, put into place together at the end
  std::int64_t bases = 0;                ///< bases read (all chromosomes, all processes)
  double read_seconds = 0;               ///< from the start to the end of reading

  /// A progress line on stderr (root process, unless --quiet).
  void say(const std::string& line) const;
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};

/// Reads the tracks; throws when every track is 0 or the W files would not fit.
io::GenomeRead read_tracks(Run& run);

struct FactorFit {
  NMFResult<float> result;
  NMFOptions options;
  double lambda = 0;   ///< as given, or chosen by cross-validation
  double seconds = 0;  ///< cross-validation and fit
};

/// λ (cross-validated unless --lambda is a number), then the fit on `genome`; warns of a flat,
/// stopped or re-seeded fit.
FactorFit fit_factors(Run& run, const GenomeSegments<float>& genome);

/// Writes every requested output and puts them in place together. `end`: one past the region's
/// last base (one chromosome).
void write_outputs(Run& run, const Preprocessed<float>& prepared, const FactorFit& fit, std::int64_t end);

/// The whole run; returns the exit code (errors are thrown).
int run(const Settings& s, const ProcessGroup& procs);

}  // namespace assign2
