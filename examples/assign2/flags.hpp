#pragma once
// assign2's command line: every flag bound to its field of Settings (settings.hpp), with its help
// text and check. Only main.cpp includes this: CLI11 is header-only and costs every file that
// includes it several seconds of compile (12 s under the sanitizers), and the stages need the
// settings, not the parser.
#include <cstdint>

#include <CLI/CLI.hpp>

#include "settings.hpp"

namespace assign2 {

/// Binds every flag of assign2 to its field of `s`.
inline void add_flags(CLI::App& app, Settings& s) {
  app.add_option("-b,--bw_dir", s.bw_dir, "Directory of bigWig files (*.bw, *.bigWig, *.bigwig; columns in name order)")->required();
  app.add_option("-c,--chromosome_number", s.chrom, "Chromosome as in the files (chr10), a comma list (chr1,chr2), or all: one factorization with a shared H, W per chromosome (OUT.CHROM.npy)")->required();
  app.add_option("-s,--start_pos", s.start, "First base, 0-based (default 0)");
  app.add_option("-e,--end_pos", s.end, "One past the last base (default: the chromosome's end)");
  app.add_option("-k", s.k, "Number of latent factors")->check(CLI::Range(1, 10000))->capture_default_str();
  app.add_option("-o,--output_file", s.output, "Output .npy: W, (END-START) x K")->required();
  app.add_option("--lambda", s.lambda, "Fused-lasso weight, in bases (relative to the data's RMS), or auto: chosen by cross-validation on held-out blocks (one-standard-error rule)")->capture_default_str();
  app.add_option("--lambda-curve", s.lambda_curve, "With --lambda auto: write the cross-validation curve (TSV) here");
  app.add_option("--lambda-repeats", s.lambda_repeats, "With --lambda auto: how many times the held-out blocks are drawn and their errors averaged (0: auto: once from 2,500 rows (segments) up, else as many as bring repeats x rows up to 2,500, at most 10)")->check(CLI::Range(0, 100))->capture_default_str();
  app.add_option("--bin", s.bin, "Average the signal into bins of this many bases (1: base resolution)")->check(CLI::Range(std::int64_t(1), std::int64_t(1000000)))->capture_default_str();
  app.add_option("--smooth", s.smooth, "Box-smooth each track: auto (5 kb when the median track is non-zero in < 25% of bins, else none), or windows in bases (comma list: a copy of every track per window; 0: none)")->capture_default_str();
  app.add_option("--l2", s.l2, "Ridge offset, relative to the Gram matrix's mean diagonal")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--solver", s.solver, "hals: block-coordinate descent, the objective never rises; als: the assignment's projected ALS")->check(CLI::IsMember({"hals", "als"}))->capture_default_str();
  app.add_option("--iterations", s.iterations, "Maximum iterations (sweeps) per restart")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--tolerance", s.tolerance, "Stop when the residual (hals: step norm relative to the first sweep's; als: the objective's relative change) stays below this")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--time-limit", s.time_limit, "Seconds the run may take until the fit stops (after the sweep in progress, with a warning); reading and writing W come on top. 0: no limit")->check(CLI::Range(0.0, 1e9))->capture_default_str();
  app.add_option("--restarts", s.restarts, "Fits from different starts (the first from --init, the others random); the lowest objective is kept")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--seed", s.seed, "Random seed (same seed, same output)")->capture_default_str();
  app.add_option("--threads", s.threads, "Threads for reading, fitting and writing W (0: the cores this process may use; a fit of under 300,000 rows x k runs on one, and up to 3 million times its sweeps on one and on all and keeps the faster)")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--init", s.init, "Initialisation of H: clipped-svd (the leading singular vectors, each signed so its largest loading is positive, negatives clipped), nndsvda, nndsvd, rsvd (clipped-svd's rule on a randomized SVD) or random")->check(CLI::IsMember({"clipped-svd", "nndsvda", "nndsvd", "rsvd", "random"}))->capture_default_str();
  app.add_option("--transform", s.transform, "Transform of the values")->check(CLI::IsMember({"sqrt", "log1p", "asinh", "none"}))->capture_default_str();
  app.add_option("--scale", s.scale, "Per-track scaling")->check(CLI::IsMember({"rms", "none"}))->capture_default_str();
  app.add_option("--bigwig-out", s.bigwig_out, "Also write each factor as a bigWig (DIR/STEM.factorJ.bw, STEM from -o; zoom levels included; DIR created if missing)");
  app.add_option("--h-tsv", s.h_tsv, "Also write H as TSV: a row per factor, a column per input file");
  app.add_option("--plot", s.plot, "Draw the factors, the annotation, chosen tracks and H as an SVG");
  app.add_option("--plot-tracks", s.plot_tracks, "Input tracks to draw in --plot: column numbers or file names, comma-separated");
  app.add_option("--missing", s.missing, "Bases without data and NaN values: zero (read as 0) or mask (left out of the fit; bins average their observed bases)")->check(CLI::IsMember({"zero", "mask"}))->capture_default_str();
  app.add_option("--exclude", s.exclude, "BED file of regions (blacklisted, unmappable) to leave out of the fit: every bin overlapping one is masked, not read as 0");
  app.add_option("--w-resolution", s.w_resolution, "W per base (the assignment's form) or per bin: a row per segment of merged bins, with their [start, end) in OUT.bins.npy (int64), so that a whole genome's W stays small")->check(CLI::IsMember({"base", "bin"}))->capture_default_str();
  app.add_option("--w-order", s.w_order, "Layout of W in the .npy: F (Fortran order, each factor contiguous: written on --threads threads, long stretches of zeros left as holes that take no disk) or C (row after row, for readers without Fortran order); np.load gives the same array")->check(CLI::IsMember({"F", "C"}))->capture_default_str();
  app.add_option("--dtype", s.dtype, "Element type of the output")->check(CLI::IsMember({"float32", "float64"}))->capture_default_str();
  app.add_option("--h-output", s.h_output, "Also write H (K x tracks) as .npy here");
  app.add_option("--annotation", s.annotation, "bigWig track (e.g. genes) to correlate each column of W with");
  app.add_option("--output-budget", s.output_budget_gb, "Largest W files to write, in GB, unless --force")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_flag("--skip-empty", s.skip_empty, "With several chromosomes (-c all), leave out those where no file has data");
  app.add_flag("--force", s.force, "Write W files larger than --output-budget");
  app.add_flag("-q,--quiet", s.quiet, "Print only errors and the --annotation result");
}

}  // namespace assign2
