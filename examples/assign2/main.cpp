// assign2: bigWig tracks over one region -> smooth NMF (HALS + fused lasso, λ by cross-validation) -> W as .npy.
//
//   assign2 -b DIR -c CHROM [-s START] [-e END] -k K -o OUT.npy [options]
//
// Every bigWig file in DIR is read over CHROM:[START, END) as run-length segments, transformed,
// scaled per track (bins under --exclude or without data under --missing mask are left out), λ is
// chosen by cross-validation unless given, NMF<FusedLasso<float>> is fitted on the segments, and W is expanded to
// (END - START) x K and written as float32 (or float64) .npy. Progress goes to stderr.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/genome_reader.hpp>
#include <fusednmf/io/bigwig_writer.hpp>
#include <fusednmf/genome.hpp>
#include <fusednmf/partition.hpp>
#ifdef FUSEDNMF_ASSIGN2_MPI
#include <fusednmf/mpi/allreduce.hpp>
#include <fusednmf/mpi/session.hpp>
#endif
#include <fusednmf/io/bed.hpp>
#include <fusednmf/io/npy.hpp>
#include <fusednmf/io/output_set.hpp>
#include <fusednmf/lambda_cv.hpp>
#include <fusednmf/nmf.hpp>
#include <fusednmf/preprocess.hpp>

#include "../common/factor_plot.hpp"
#include "../common/output_paths.hpp"
#include "../common/region_correlation.hpp"
#include "../common/track_files.hpp"

namespace fs = std::filesystem;
using namespace fusednmf;

namespace {

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

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// "--smooth auto" -> {} (choose from the data); otherwise a comma list of windows in bases.
std::vector<std::int64_t> parse_windows(const std::string& text) {
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
std::optional<double> parse_lambda(const std::string& text) {
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

void write_lambda_curve(const fs::path& path, const LambdaCVCurve& curve) {
  io::AtomicFile file(path);
  auto& out = file.stream();
  out << "lambda\theld_out_error\tstandard_error\tchosen\n";
  out.precision(9);
  for (std::size_t l = 0; l < curve.lambdas.size(); ++l)
    out << curve.lambdas[l] << '\t' << curve.mean_error[l] << '\t' << curve.standard_error[l] << '\t'
        << (l == curve.chosen ? 1 : 0) << '\n';
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

// Every output path given is distinct, and the factor tracks do not land among the inputs.
void check_outputs(const Settings& s) {
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
std::vector<std::string> parse_chromosomes(const std::string& text, const std::vector<fs::path>& files) {
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

// With several chromosomes, OUT.npy names one file per chromosome: OUT.CHROM.npy.
fs::path output_for(const std::string& output, const std::string& chrom, bool several) {
  if (!several) return output;
  const fs::path out(output);
  return out.parent_path() / (out.stem().string() + "." + chrom + ".npy");
}

// --w-resolution bin: the segments' edges beside each W file, OUT.bins.npy (or OUT.CHROM.bins.npy).
fs::path edges_for(const fs::path& w_path) {
  return w_path.parent_path() / (w_path.stem().string() + ".bins.npy");
}

// "--plot-tracks 0,3,H3K36me3.bw": column numbers or file names of the inputs to draw.
std::vector<std::size_t> parse_plot_tracks(const std::string& text, const std::vector<fs::path>& files) {
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

// The name of every column of Y (and of H): the file's name, and with several --smooth windows
// the window too ("H3K36me3.bw@5000"), window-major as smooth_at_scales lays them out.
std::vector<std::string> column_names(const std::vector<fs::path>& files, const std::vector<std::int64_t>& windows) {
  std::vector<std::string> out;
  for (std::int64_t w : windows)
    for (const auto& f : files)
      out.push_back(f.filename().string() + (windows.size() > 1 ? "@" + std::to_string(w) : std::string()));
  return out;
}

void write_h_tsv(const fs::path& path, const Eigen::MatrixXf& H, const std::vector<std::string>& columns) {
  io::AtomicFile file(path);
  auto& out = file.stream();
  out << "factor";
  for (const auto& c : columns) out << '\t' << c;
  out << '\n';
  out.precision(9);
  for (Eigen::Index r = 0; r < H.rows(); ++r) {
    out << "factor" << r + 1;
    for (Eigen::Index c = 0; c < H.cols(); ++c) out << '\t' << H(r, c);
    out << '\n';
  }
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

// "factor 2: H3K36me3.bw 0.41, H3K79me2.bw 0.22, ...": the tracks that make up each factor.
std::string top_tracks(const Eigen::MatrixXf& H, Eigen::Index r, const std::vector<std::string>& columns) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(H.cols()));
  for (Eigen::Index c = 0; c < H.cols(); ++c) order[std::size_t(c)] = c;
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return H(r, a) > H(r, b); });
  const double total = std::max(double(H.row(r).sum()), 1e-30);
  std::string out;
  char buf[32];
  for (std::size_t i = 0; i < order.size() && i < 3; ++i) {
    std::snprintf(buf, sizeof buf, " %.2f", double(H(r, order[i])) / total);
    out += (i ? ", " : "") + columns[std::size_t(order[i])] + buf;
  }
  return out;
}

int run(const Settings& s, const ProcessGroup& procs) {
  const auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& line) {
    if (!s.quiet && procs.root()) std::cerr << "assign2: " << line << std::endl;
  };
  const std::vector<fs::path> files = examples::list_bigwig_files(s.bw_dir);
  check_outputs(s);
  parse_lambda(s.lambda);  // a bad value fails before anything is read
  if (!s.lambda_curve.empty() && s.lambda != "auto")
    throw std::runtime_error("--lambda-curve needs --lambda auto");
  const std::vector<std::size_t> plot_tracks = parse_plot_tracks(s.plot_tracks, files);
  if (s.start < 0) throw std::runtime_error("--start_pos must be >= 0, got " + std::to_string(s.start));
  if (s.end >= 0 && s.end <= s.start)
    throw std::runtime_error("--end_pos " + std::to_string(s.end) + " must be greater than --start_pos " +
                             std::to_string(s.start));

  io::OutputSet outputs;  // every output staged, then put into place together at the end
  const std::vector<std::string> chromosomes = parse_chromosomes(s.chrom, files);
  const bool several = chromosomes.size() > 1;
  if (several && (s.start != 0 || s.end >= 0))
    throw std::runtime_error("--start_pos/--end_pos select a region of one chromosome; omit them with several (-c " +
                             s.chrom + ")");
  if (several && !s.plot.empty()) throw std::runtime_error("--plot draws one chromosome; give -c a single name");
  const bool w_per_bin = s.w_resolution == "bin";
  for (const auto& name : chromosomes) {
    examples::check_output_path("--output_file", output_for(s.output, name, several));
    if (w_per_bin) examples::check_output_path("--output_file", edges_for(output_for(s.output, name, several)));
  }

  std::string order;
  for (std::size_t j = 0; j < files.size(); ++j) order += "\n  column " + std::to_string(j) + ": " + files[j].filename().string();
  say("reading " + std::to_string(files.size()) + " bigWig files over " +
      (several ? std::to_string(chromosomes.size()) + " chromosomes (" + s.chrom + ")"
               : s.chrom + ":" + std::to_string(s.start) + "-" + (s.end < 0 ? std::string("end") : std::to_string(s.end))) +
      order);
  if (procs.size > 1 && !s.bigwig_out.empty())
    throw std::runtime_error("--bigwig-out is not available with several MPI ranks yet; run without mpirun for it");
  io::GenomeReadOptions read;
  read.start = s.start, read.end = s.end, read.bin = s.bin, read.threads = s.threads;
  read.missing_as_nan = s.missing == "mask";
  read.skip_without_signal = s.skip_empty;
  if (!s.exclude.empty()) read.exclude = io::read_bed(s.exclude);  // a bad file fails before reading
  double printed = 0;
  if (!s.quiet && procs.root())
    read.progress = [&](const std::string& chrom, const io::ReadProgress& p) {
      if (p.seconds - printed < 2 || p.blocks_done == p.blocks_total) return;
      printed = p.seconds;
      std::fprintf(stderr, "assign2: reading %s: %zu of %zu blocks, %.0f MB/s inflated\n", chrom.c_str(),
                   p.blocks_done, p.blocks_total, double(p.bytes_inflated) / 1e6 / p.seconds);
    };
  io::GenomeRead tracks = io::read_genome(files, chromosomes, read, procs);
  const std::int64_t bases = tracks.bases;
  const std::int64_t end = s.start + tracks.tracks.front().expanded_rows();  // for one chromosome
  if (tracks.report.negative_values_clipped > 0)
    std::cerr << "assign2: warning: " << tracks.report.negative_values_clipped << " negative values (bases x tracks) clipped to 0\n";
  if (tracks.report.nan_values_zeroed > 0 && s.missing == "zero")
    std::cerr << "assign2: warning: " << tracks.report.nan_values_zeroed
              << " NaN values (bases x tracks) read as 0 (--missing mask leaves them out instead)\n";
  const bool masking = s.missing == "mask" || !s.exclude.empty();  // else nothing can be NaN
  char buf[256];
  if (masking) {
    std::snprintf(buf, sizeof buf, "missing (masked out of the fit): %.0f bases x tracks of %.0f", tracks.missing_entries,
                  double(bases) * double(files.size()));
    say(buf);
  }
  if (!s.exclude.empty())
    say("excluded (masked out of the fit) " + std::to_string(tracks.excluded_bases) + " bases overlapping " + s.exclude);
  const double t_read = seconds_since(t0);
  std::snprintf(buf, sizeof buf, "read %lld bases as %lld %s in %.2f s", static_cast<long long>(bases),
                static_cast<long long>(tracks.rows), s.bin > 1 ? "bins" : "segments", t_read);
  say(buf);
  if (!tracks.without_signal.empty() && several) {
    std::string names;
    for (std::size_t c = 0; c < std::min<std::size_t>(tracks.without_signal.size(), 10); ++c)
      names += (c ? ", " : "") + tracks.without_signal[c];
    if (tracks.without_signal.size() > 10) names += ", ...";
    say("no file has data (a value > 0) on " + std::to_string(tracks.without_signal.size()) + " of " +
        std::to_string(chromosomes.size()) + " chromosomes (" + names + "): " +
        (s.skip_empty ? "left out (--skip-empty), no W file for them" : "their W is 0; --skip-empty leaves them out"));
  }
  if (!tracks.any_signal) throw std::runtime_error("every track is 0 (or missing) over the region");
  // Per base, or per bin as read (at most: merging equal rows only shrinks it) with 16 bytes of edges.
  const double w_rows = w_per_bin ? double(tracks.rows) : double(tracks.bases);
  const double w_bytes = w_rows * (double(s.k) * (s.dtype == "float64" ? 8.0 : 4.0) + (w_per_bin ? 16.0 : 0.0));
  const std::string w_files = "the W files (" + std::to_string(std::int64_t(w_rows)) + (w_per_bin ? " bins" : " bases") +
                              " x " + std::to_string(s.k) + " " + s.dtype + ")";
  if (w_bytes > s.output_budget_gb * 1e9 && !s.force) {
    std::snprintf(buf, sizeof buf, " would take %.3g GB, more than --output-budget (%g GB): choose a smaller region or k, "
                  "or pass --force", w_bytes / 1e9, s.output_budget_gb);
    throw std::runtime_error(w_files + buf);
  }
  io::check_free_space(s.output, w_bytes, w_files);

  PreprocessOptions prep;
  prep.bin = s.bin;
  prep.windows = parse_windows(s.smooth);
  static const std::map<std::string, Transform> transforms{
      {"none", Transform::None}, {"sqrt", Transform::Sqrt}, {"log1p", Transform::Log1p}, {"asinh", Transform::Asinh}};
  prep.transform = transforms.at(s.transform);
  prep.unit_rms = s.scale == "rms";
  auto prepared = preprocess(tracks.names, s.start, std::move(tracks.tracks), prep, procs.reduce);
  if (s.smooth == "auto")
    say("smoothing window (auto, from the tracks' sparsity): " + std::to_string(prepared.windows[0]) + " bases");
  GenomeSegments<float>& genome = prepared.genome;
  SegmentedMatrix<float>& Y = genome.Y;
  NMFOptions opt;
  opt.rank = s.k;
  opt.max_iterations = s.iterations;
  opt.tolerance = s.tolerance;
  opt.l2 = s.l2;
  opt.seed = s.seed;
  opt.threads = s.threads;
  static const std::map<std::string, Init> inits{
      {"random", Init::Random}, {"rsvd", Init::RandomizedSVD}, {"nndsvd", Init::NNDSVD}, {"nndsvda", Init::NNDSVDa}};
  opt.init = inits.at(s.init);
  opt.solver = s.solver == "als" ? Solver::ProjectedALS : Solver::HALS;
  opt.restarts = s.restarts;
  if (masking) opt.missing = MissingValues::Mask;
  // The contract: a run never exceeds 10 minutes. Reading and the cross-validation are bounded
  // (the latter by its row sample); the fit gets what is left of --time-limit.
  auto fit_time_left = [&] { return s.time_limit > 0 ? std::max(1.0, s.time_limit - seconds_since(t0)) : 0.0; };
  if (!s.quiet && procs.root())
    opt.progress = [&](const Progress& p) {
      if (p.iteration == 1 || p.iteration % 10 == 0)
        std::fprintf(stderr, "assign2: %siteration %4d  objective %.6e  residual %.2e\n",
                     s.restarts > 1 ? ("restart " + std::to_string(p.restart + 1) + "  ").c_str() : "",
                     p.iteration, p.objective, p.residual);
    };
  const auto t1 = std::chrono::steady_clock::now();
  std::optional<double> lambda = parse_lambda(s.lambda);
  if (!lambda) {  // held-out blocks of rows x tracks, masked, over a grid of λ
    LambdaCVOptions cv;
    cv.seed = s.seed;
    const auto cv_start = std::chrono::steady_clock::now();
    const LambdaCVCurve curve = cross_validate_lambda(Y, genome.chain_starts(), opt, cv, procs.reduce);
    std::string table;
    for (std::size_t l = 0; l < curve.lambdas.size(); ++l) {
      std::snprintf(buf, sizeof buf, "\n  lambda %8g  held-out error %.6e +- %.1e%s", curve.lambdas[l],
                    curve.mean_error[l], curve.standard_error[l],
                    l == curve.chosen ? "  <- chosen (one standard error)" : l == curve.best ? "  (lowest)" : "");
      table += buf;
    }
    std::snprintf(buf, sizeof buf, "-fold cross-validation on held-out blocks of %lld rows (%.2f s):",
                  static_cast<long long>(std::min<Eigen::Index>(Y.segments(), cv.max_rows)), seconds_since(cv_start));
    say("lambda by " + std::to_string(cv.folds) + buf + table);
    if (procs.root() && !s.lambda_curve.empty()) write_lambda_curve(outputs.stage(s.lambda_curve), curve);
    lambda = curve.lambda();
  }
  opt.time_limit = fit_time_left();
  auto fit = NMF<FusedLasso<float>>(opt, FusedLasso<float>{*lambda, 0.0}).fit(Y, genome.chain_starts(), procs.reduce);
  const double t_nmf = seconds_since(t1);
  if (fit.status == Status::NumericalIssue)
    throw std::runtime_error("the factorization hit a numerical issue (try a larger --l2)");
  // A penalty or ridge that flattens the factors gives a W of (almost) 0 without any error.
  const double explained = explained_fraction(Y, fit.W, fit.H, procs.reduce);
  if (explained < 0.01 && procs.root())
    std::fprintf(stderr,
                 "assign2: warning: the factors explain %.2g%% of the (transformed) signal: --lambda %g or --l2 %g "
                 "flattens them; try smaller values\n",
                 100.0 * std::max(explained, 0.0), *lambda, s.l2);
  if (fit.status == Status::TimeLimit && procs.root())
    std::fprintf(stderr,
                 "assign2: warning: the fit stopped at the time limit (--time-limit %g s) after %d sweeps, before "
                 "converging (residual %.1e > --tolerance %g); this result depends on the machine's speed. Give more "
                 "time, a looser --tolerance or a fixed --lambda\n",
                 s.time_limit, fit.iterations, fit.residual.empty() ? 0.0 : fit.residual.back(), s.tolerance);
  if (s.restarts > 1) {
    std::string finals;
    for (double v : fit.restart_objectives) {
      std::snprintf(buf, sizeof buf, " %.6e", v);
      finals += buf;
    }
    say("restarts' final objectives:" + finals + "; kept restart " + std::to_string(fit.restart + 1));
  }
  if (fit.reseeded > 0)
    say(std::to_string(fit.reseeded) + " factor(s) died during the fit and were re-seeded from the largest residual" +
        (fit.dead_factors > 0 ? "; " + std::to_string(fit.dead_factors) +
                                    " stayed at 0 (--lambda may be too strong for k = " + std::to_string(s.k) + ")"
                              : std::string()));

  std::vector<double> r;
  SegmentedMatrix<float> ann;
  if (!s.annotation.empty()) {
    GenomeSegments<float> ann_genome;  // the annotation over the same bases, chromosome after chromosome
    procs.fail_together([&] {
      for (std::size_t c = 0; c < genome.chromosomes(); ++c) {
        const Eigen::Index first = genome.first_segment(c), count = genome.segment_count(c);
        const std::int64_t length = std::int64_t(Y.lengths.segment(first, count).cast<double>().sum());
        ann_genome.append(genome.names[c], s.start,
                          io::read_region({fs::path(s.annotation)}, genome.names[c], s.start, s.start + length, 1));
      }
    });
    ann = std::move(ann_genome.Y);
    r = examples::column_correlations<float>(fit.W, Y.lengths, ann, procs.reduce);
  }
  for (std::size_t c = 0; c < genome.chromosomes(); ++c) {  // W of each chromosome, expanded to bases
    const Eigen::Index first = genome.first_segment(c), count = genome.segment_count(c);
    const fs::path path = outputs.stage(output_for(s.output, genome.names[c], several));
    const auto rows = fit.W.middleRows(first, count);
    const auto lengths = Y.lengths.segment(first, count);
    if (w_per_bin) {  // a row per segment, and its [start, end) in bases beside it
      Eigen::Matrix<std::int64_t, Eigen::Dynamic, 2> edges(count, 2);
      std::int64_t at = s.start;
      for (Eigen::Index i = 0; i < count; ++i) {
        edges(i, 0) = at;
        at += std::int64_t(lengths[i]);
        edges(i, 1) = at;
      }
      io::write_npy<std::int64_t>(outputs.stage(edges_for(output_for(s.output, genome.names[c], several))), edges);
      if (s.dtype == "float64") io::write_npy<double>(path, rows);
      else io::write_npy<float>(path, rows);
    } else if (s.dtype == "float64") {
      io::write_npy<double>(path, rows, lengths);
    } else {
      io::write_npy<float>(path, rows, lengths);
    }
  }
  if (procs.root() && !s.h_output.empty()) io::write_npy<float>(outputs.stage(s.h_output), fit.H);
  const std::vector<std::string> columns = column_names(files, prepared.windows);
  if (procs.root() && !s.h_tsv.empty()) write_h_tsv(outputs.stage(s.h_tsv), fit.H, columns);

  for (Eigen::Index j = 0; j < fit.H.rows(); ++j) {  // what each factor is made of
    std::string line = "factor " + std::to_string(j + 1) + ":";
    if (!r.empty()) {
      std::snprintf(buf, sizeof buf, " r = %+.4f;", r[std::size_t(j)]);
      line += buf;
    }
    say(line + " top tracks " + top_tracks(fit.H, j, columns));
  }
  if (!r.empty() && procs.root()) {
    std::size_t best_j = 0;
    for (std::size_t j = 1; j < r.size(); ++j)
      if (r[j] > r[best_j]) best_j = j;
    std::printf("max_r %.4f column %zu (annotation %s)\n", r[best_j], best_j, s.annotation.c_str());
  }

  if (!s.plot.empty()) {
    examples::FactorPlot plot;
    plot.chrom = s.chrom;
    plot.start = s.start;
    plot.end = end;
    plot.title = "assign2: " + s.chrom + ":" + std::to_string(s.start) + "-" + std::to_string(end) + ", k = " +
                 std::to_string(s.k);
    auto lane_of = [](const std::string& label, const auto& values, const auto& lengths, const char* color) {
      examples::PlotLane lane{label, {}, {}, color};
      for (Eigen::Index i = 0; i < values.size(); ++i) lane.values.push_back(double(values[i]));
      for (Eigen::Index i = 0; i < lengths.size(); ++i) lane.lengths.push_back(std::int64_t(lengths[i]));
      return lane;
    };
    for (Eigen::Index j = 0; j < fit.W.cols(); ++j) {
      std::string label = "factor " + std::to_string(j + 1);
      if (!r.empty()) {
        std::snprintf(buf, sizeof buf, " (r %+.2f)", r[std::size_t(j)]);
        label += buf;
      }
      plot.lanes.push_back(lane_of(label, fit.W.col(j), Y.lengths, "#1f77b4"));
    }
    if (!s.annotation.empty())
      plot.lanes.push_back(lane_of(fs::path(s.annotation).filename().string(), ann.values.col(0), ann.lengths, "#2ca02c"));
    for (std::size_t j : plot_tracks) {
      const SegmentedMatrix<float> track = io::read_region({files[j]}, s.chrom, s.start, end, 1);
      plot.lanes.push_back(lane_of(files[j].filename().string(), track.values.col(0), track.lengths, "#7f7f7f"));
    }
    plot.H = fit.H.cast<double>();
    plot.track_names = columns;
    examples::write_svg(outputs.stage(s.plot), plot);
    say("wrote the plot " + s.plot);
  }
  // The factor tracks last: they appear together (write_factor_tracks) only when everything
  // staged before them was written, and the staged files follow them into place. A run writing
  // the same -o meanwhile waits for the lock, so each set at the final names is one run's.
  const std::unique_ptr<io::OutputLock> lock = procs.root() ? std::make_unique<io::OutputLock>(s.output) : nullptr;
  if (!s.bigwig_out.empty()) {
    std::vector<io::Chromosome> header;
    for (const auto& [name, length] : io::BigWigFile(files.front()).chromosomes()) header.push_back({name, length});
    std::vector<io::TrackSpan> spans;
    for (std::size_t c = 0; c < genome.chromosomes(); ++c)
      spans.push_back({genome.names[c], s.start, genome.first_segment(c), genome.segment_count(c)});
    const auto written =
        io::write_factor_tracks(s.bigwig_out, fs::path(s.output).stem().string(), header, spans, fit.W, Y.lengths);
    say("wrote " + std::to_string(written.size()) + " factor tracks: " + written.front().string() + " ...");
  }
  outputs.commit();
  if (procs.size > 1) say("ranks: " + std::to_string(procs.size) + ", each writing the W files of its chromosomes");
  std::snprintf(buf, sizeof buf,
                "wrote %s%s (%lld x %d %s): %d iterations (%s, %s, residual %.1e), read %.2f s, NMF %.2f s, total %.2f s",
                output_for(s.output, genome.names.front(), several).c_str(), several ? " ..." : "",
                static_cast<long long>(bases), s.k, s.dtype.c_str(), fit.iterations, to_string(opt.solver),
                to_string(fit.status), fit.residual.empty() ? 0.0 : fit.residual.back(), t_read, t_nmf,
                seconds_since(t0));
  say(buf);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef FUSEDNMF_ASSIGN2_MPI
  const mpi::Session session(argc, argv);  // assign2_mpi: one factorization over all ranks
#endif
  io::remove_temporaries_on_signal();  // SIGINT/SIGTERM leave no TARGET.tmp-XXXXXX behind
  Settings s;
  CLI::App app{"assign2: smooth NMF of bigWig tracks over one region (HALS + fused lasso); writes W as .npy"};
  app.get_formatter()->column_width(34);
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
  app.add_option("--threads", s.threads, "Threads for reading and fitting (0: the cores this process may use; one fit of under 10^7 rows x k runs on one)")->check(CLI::NonNegativeNumber)->capture_default_str();
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
#ifdef FUSEDNMF_ASSIGN2_MPI
    ProcessGroup procs{session.rank(), session.size(), mpi::allreduce_sum(MPI_COMM_WORLD)};
    if (procs.size == 1) procs.reduce = {};
    return run(s, procs);
#else
    return run(s, ProcessGroup{});
#endif
  } catch (const std::exception& e) {
    std::cerr << "assign2: error: " << e.what() << std::endl;
    return 1;
  }
}
