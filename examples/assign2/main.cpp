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
#include "outputs.hpp"
#include "settings.hpp"

namespace fs = std::filesystem;
using namespace fusednmf;

namespace {

using namespace assign2;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
    // Per base (each row repeated over its segment's length), or per bin (no repeats).
    auto write_w = [&](const auto&... repeats) {
      if (s.dtype == "float64") io::write_npy<double>(path, rows, repeats...);
      else io::write_npy<float>(path, rows, repeats...);
    };
    if (!w_per_bin) {
      write_w(lengths);
      continue;
    }
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, 2> edges(count, 2);  // each row's [start, end) in bases
    std::int64_t at = s.start;
    for (Eigen::Index i = 0; i < count; ++i) {
      edges(i, 0) = at;
      at += std::int64_t(lengths[i]);
      edges(i, 1) = at;
    }
    io::write_npy<std::int64_t>(outputs.stage(edges_for(output_for(s.output, genome.names[c], several))), edges);
    write_w();
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
    return run(s, procs);
#else
    return run(s, ProcessGroup{});
#endif
  } catch (const std::exception& e) {
    std::cerr << "assign2: error: " << e.what() << std::endl;
    return 1;
  }
}
