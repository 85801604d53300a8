#pragma once
// assign2's settings: every flag, bound to a field (one place for the defaults), and the parsers
// of the flags' texts (chromosome lists, windows, λ, plot tracks). Errors name the flag.
#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/bigwig_writer.hpp>

#include "../common/output_paths.hpp"
#include "../common/track_files.hpp"

namespace assign2 {

namespace fs = std::filesystem;
using namespace fusednmf;

struct Settings {
  std::string bw_dir, chrom, output, h_output, annotation, bigwig_out, h_tsv, plot, plot_tracks, exclude;
  std::int64_t start = 0, end = -1;
  int k = 10;
  std::string lambda = "auto", lambda_curve;
  double l2 = 1e-3, tolerance = 1e-3;
  int iterations = 1000, threads = 0, restarts = 1;
  double time_limit = 480;
  double output_budget_gb = 100;  // W files larger than this need --force
  bool force = false;
  bool skip_empty = false;  // leave out chromosomes where no file has data
  std::string w_resolution = "base";  // or "bin": a row of W per segment, its edges beside it
  std::int64_t bin = 200;
  std::string smooth = "auto";
  std::uint64_t seed = 0;
  std::string missing = "zero";
  std::string init = "nndsvda", solver = "hals", transform = "sqrt", scale = "rms", dtype = "float32";
  bool quiet = false;
};

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
  app.add_option("--bin", s.bin, "Average the signal into bins of this many bases (1: base resolution)")->check(CLI::Range(std::int64_t(1), std::int64_t(1000000)))->capture_default_str();
  app.add_option("--smooth", s.smooth, "Box-smooth each track: auto (5 kb when the median track is non-zero in < 25% of bins, else none), or windows in bases (comma list: a copy of every track per window; 0: none)")->capture_default_str();
  app.add_option("--l2", s.l2, "Ridge offset, relative to the Gram matrix's mean diagonal")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--solver", s.solver, "hals: block-coordinate descent, the objective never rises; als: the assignment's projected ALS")->check(CLI::IsMember({"hals", "als"}))->capture_default_str();
  app.add_option("--iterations", s.iterations, "Maximum iterations (sweeps) per restart")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--tolerance", s.tolerance, "Stop when the residual (hals: step norm relative to the first sweep's; als: the objective's relative change) stays below this")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--time-limit", s.time_limit, "Seconds the run may take until the fit stops (after the sweep in progress, with a warning); reading and writing W come on top. 0: no limit")->check(CLI::Range(0.0, 1e9))->capture_default_str();
  app.add_option("--restarts", s.restarts, "Fits from different starts (the first from --init, the others random); the lowest objective is kept")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--seed", s.seed, "Random seed (same seed, same output)")->capture_default_str();
  app.add_option("--threads", s.threads, "Threads for reading and fitting (0: the cores this process may use; a fit of under 300,000 rows x k runs on one, and up to 3 million times its sweeps on one and on all and keeps the faster)")->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--init", s.init, "Initialisation of H")->check(CLI::IsMember({"nndsvda", "nndsvd", "rsvd", "random"}))->capture_default_str();
  app.add_option("--transform", s.transform, "Transform of the values")->check(CLI::IsMember({"sqrt", "log1p", "asinh", "none"}))->capture_default_str();
  app.add_option("--scale", s.scale, "Per-track scaling")->check(CLI::IsMember({"rms", "none"}))->capture_default_str();
  app.add_option("--bigwig-out", s.bigwig_out, "Also write each factor as a bigWig (DIR/STEM.factorJ.bw, STEM from -o; zoom levels included; DIR created if missing)");
  app.add_option("--h-tsv", s.h_tsv, "Also write H as TSV: a row per factor, a column per input file");
  app.add_option("--plot", s.plot, "Draw the factors, the annotation, chosen tracks and H as an SVG");
  app.add_option("--plot-tracks", s.plot_tracks, "Input tracks to draw in --plot: column numbers or file names, comma-separated");
  app.add_option("--missing", s.missing, "Bases without data and NaN values: zero (read as 0) or mask (left out of the fit; bins average their observed bases)")->check(CLI::IsMember({"zero", "mask"}))->capture_default_str();
  app.add_option("--exclude", s.exclude, "BED file of regions (blacklisted, unmappable) to leave out of the fit: every bin overlapping one is masked, not read as 0");
  app.add_option("--w-resolution", s.w_resolution, "W per base (the assignment's form) or per bin: a row per segment of merged bins, with their [start, end) in OUT.bins.npy (int64), so that a whole genome's W stays small")->check(CLI::IsMember({"base", "bin"}))->capture_default_str();
  app.add_option("--dtype", s.dtype, "Element type of the output")->check(CLI::IsMember({"float32", "float64"}))->capture_default_str();
  app.add_option("--h-output", s.h_output, "Also write H (K x tracks) as .npy here");
  app.add_option("--annotation", s.annotation, "bigWig track (e.g. genes) to correlate each column of W with");
  app.add_option("--output-budget", s.output_budget_gb, "Largest W files to write, in GB, unless --force")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_flag("--skip-empty", s.skip_empty, "With several chromosomes (-c all), leave out those where no file has data");
  app.add_flag("--force", s.force, "Write W files larger than --output-budget");
  app.add_flag("-q,--quiet", s.quiet, "Print only errors and the --annotation result");
}

// "--smooth auto" -> {} (choose from the data); otherwise a comma list of windows in bases.
inline std::vector<std::int64_t> parse_windows(const std::string& text) {
  if (text == "auto") return {};
  std::vector<std::int64_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
    }
    if (used != item.size() || v < 0 || v > 10000000)
      throw std::runtime_error("--smooth: '" + item + "' is not auto or a window of 0..10000000 bases");
    out.push_back(v);
  }
  if (out.empty()) throw std::runtime_error("--smooth: no window given");
  return out;
}

// "--lambda auto" -> nullopt (cross-validate); otherwise a weight in bases >= 0.
inline std::optional<double> parse_lambda(const std::string& text) {
  if (text == "auto") return std::nullopt;
  std::size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || !(v >= 0) || !std::isfinite(v))
    throw std::runtime_error("--lambda: '" + text + "' is not auto or a finite weight >= 0");
  return v;
}

// Every output path given is distinct, and the factor tracks do not land among the inputs.
inline void check_outputs(const Settings& s) {
  std::vector<std::pair<std::string, std::string>> outputs{{"--output_file", s.output}};
  for (auto [flag, path] : {std::pair{"--h-output", s.h_output}, {"--h-tsv", s.h_tsv}, {"--plot", s.plot}, {"--lambda-curve", s.lambda_curve}})
    if (!path.empty()) outputs.emplace_back(flag, path);
  for (const auto& [flag, path] : outputs) examples::check_output_path(flag, path);
  for (std::size_t a = 0; a < outputs.size(); ++a)
    for (std::size_t b = a + 1; b < outputs.size(); ++b)
      if (fs::weakly_canonical(outputs[a].second) == fs::weakly_canonical(outputs[b].second))
        throw std::runtime_error(outputs[a].first + " and " + outputs[b].first + " name the same file " +
                                 outputs[a].second);
  if (s.bigwig_out.empty()) return;
  std::error_code ec;
  if (fs::weakly_canonical(s.bigwig_out) == fs::weakly_canonical(s.bw_dir))
    throw std::runtime_error("--bigwig-out " + s.bigwig_out +
                             " is the input directory: the factor tracks would be read as inputs next time");
  if (fs::exists(s.bigwig_out, ec) && !fs::is_directory(s.bigwig_out, ec))
    throw std::runtime_error("--bigwig-out " + s.bigwig_out + " exists and is not a directory");
  if (!fs::exists(s.bigwig_out, ec) && !fs::create_directory(s.bigwig_out, ec))
    throw std::runtime_error("--bigwig-out: cannot create directory " + s.bigwig_out + " (" + ec.message() + ")");
  examples::check_output_path("--bigwig-out", io::factor_track_path(s.bigwig_out, fs::path(s.output).stem().string(), 0));
}

// "-c chr1", "-c chr1,chr2,chrX" or "-c all" (every chromosome the files list); all files must
// agree on the chromosomes' lengths.
inline std::vector<std::string> parse_chromosomes(const std::string& text, const std::vector<fs::path>& files) {
  std::vector<std::string> names;
  if (text != "all") {
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) {
      if (item.empty()) throw std::runtime_error("-c: empty chromosome name in '" + text + "'");
      if (std::find(names.begin(), names.end(), item) != names.end())
        throw std::runtime_error("-c: chromosome '" + item + "' is given twice");
      names.push_back(item);
    }
    if (names.empty()) throw std::runtime_error("-c: no chromosome given");
    if (names.size() == 1) return names;  // read_region checks it against every file
  }
  std::vector<std::string> out;
  for (const auto& [name, length] : io::common_chromosomes(files, names)) out.push_back(name);
  return out;
}

// "--plot-tracks 0,3,H3K36me3.bw": column numbers or file names of the inputs to draw.
inline std::vector<std::size_t> parse_plot_tracks(const std::string& text, const std::vector<fs::path>& files) {
  std::vector<std::size_t> out;
  if (text.empty()) return out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    std::size_t found = files.size();
    for (std::size_t j = 0; j < files.size(); ++j)
      if (files[j].filename().string() == item || std::to_string(j) == item) found = j;
    if (found == files.size())
      throw std::runtime_error("--plot-tracks: '" + item + "' is neither a column number (0.." +
                               std::to_string(files.size() - 1) + ") nor an input file name");
    out.push_back(found);
  }
  return out;
}

}  // namespace assign2
