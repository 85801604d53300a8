// assign2's run: the flags checked before anything is read, then read -> preprocess -> fit ->
// write (stages.hpp lists the files).
#include <iostream>
#include <map>
#include <stdexcept>

#include "../common/output_paths.hpp"
#include "../common/track_files.hpp"
#include "outputs.hpp"
#include "stages.hpp"

namespace assign2 {

void Run::say(const std::string& line) const {
  if (!s.quiet && procs.root()) std::cerr << "assign2: " << line << std::endl;
}

namespace {

// Everything that can be checked before reading, so that a bad flag costs nothing.
void check_flags(Run& run) {
  const Settings& s = run.s;
  check_outputs(s);
  parse_lambda(s.lambda);
  if (!s.lambda_curve.empty() && s.lambda != "auto") throw std::runtime_error("--lambda-curve needs --lambda auto");
  if (s.lambda_repeats != 0 && s.lambda != "auto") throw std::runtime_error("--lambda-repeats needs --lambda auto");
  parse_plot_tracks(s.plot_tracks, run.files);
  if (s.start < 0) throw std::runtime_error("--start_pos must be >= 0, got " + std::to_string(s.start));
  if (s.end >= 0 && s.end <= s.start)
    throw std::runtime_error("--end_pos " + std::to_string(s.end) + " must be greater than --start_pos " +
                             std::to_string(s.start));
  run.chromosomes = parse_chromosomes(s.chrom, run.files);
  run.several = run.chromosomes.size() > 1;
  if (run.several && (s.start != 0 || s.end >= 0))
    throw std::runtime_error("--start_pos/--end_pos select a region of one chromosome; omit them with several (-c " +
                             s.chrom + ")");
  if (run.several && !s.plot.empty()) throw std::runtime_error("--plot draws one chromosome; give -c a single name");
  run.w_per_bin = s.w_resolution == "bin";
  for (const auto& name : run.chromosomes) {
    examples::check_output_path("--output_file", output_for(s.output, name, run.several));
    if (run.w_per_bin) examples::check_output_path("--output_file", edges_for(output_for(s.output, name, run.several)));
  }
  if (run.procs.size > 1 && !s.bigwig_out.empty())
    throw std::runtime_error("--bigwig-out is not available with several MPI ranks yet; run without mpirun for it");
  run.masking = s.missing == "mask" || !s.exclude.empty();  // else nothing can be NaN
}

}  // namespace

int run(const Settings& s, const ProcessGroup& procs) {
  Run run(s, procs);
  run.files = examples::list_bigwig_files(s.bw_dir);
  check_flags(run);

  io::GenomeRead tracks = read_tracks(run);
  const std::int64_t end = s.start + tracks.tracks.front().expanded_rows();  // for one chromosome

  PreprocessOptions prep;
  prep.bin = s.bin;
  prep.windows = parse_windows(s.smooth);
  static const std::map<std::string, Transform> transforms{
      {"none", Transform::None}, {"sqrt", Transform::Sqrt}, {"log1p", Transform::Log1p}, {"asinh", Transform::Asinh}};
  prep.transform = transforms.at(s.transform);
  prep.unit_rms = s.scale == "rms";
  const auto prepared = preprocess(tracks.names, s.start, std::move(tracks.tracks), prep, procs.reduce);
  if (s.smooth == "auto")
    run.say("smoothing window (auto, from the tracks' sparsity): " + std::to_string(prepared.windows[0]) + " bases");

  const FactorFit fit = fit_factors(run, prepared.genome);
  write_outputs(run, prepared, fit, end);
  return 0;
}

}  // namespace assign2
