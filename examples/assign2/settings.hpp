#pragma once
// assign2's settings: a field per flag (one place for the defaults; flags.hpp binds them to the
// command line) and the parsers of the flags' texts (chromosome lists, windows, λ, plot tracks).
// Errors name the flag.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

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
  int lambda_repeats = 0;  // partitions of the cross-validation (0: auto)
  double l2 = 1e-3, tolerance = 1e-3;
  int iterations = 1000, threads = 0, restarts = 1;
  double time_limit = 480;
  double output_budget_gb = 100;  // W files larger than this need --force
  bool force = false;
  bool skip_empty = false;  // leave out chromosomes where no file has data
  std::string w_resolution = "base";  // or "bin": a row of W per segment, its edges beside it
  std::string w_order = "F";          // or "C": W's layout in its .npy
  std::int64_t bin = 200;
  std::string smooth = "auto";
  std::uint64_t seed = 0;
  std::string missing = "zero";
  std::string init = "clipped-svd", solver = "hals", transform = "sqrt", scale = "rms", dtype = "float32";
  bool quiet = false;
};

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
