// assign2's outputs: the annotation's correlation with each factor (when given), W per
// chromosome (per base, or per bin with its edges), H (.npy and TSV), the plot and the factor
// bigWigs. Every file is staged under a temporary name and all are put into place together at
// the end, under a lock on -o, so the names never hold a mix of two runs or a half-written set.
#include <cstdio>
#include <memory>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/bigwig_writer.hpp>
#include <fusednmf/io/npy.hpp>
#include <fusednmf/io/npy_columns.hpp>

#include "../common/factor_plot.hpp"
#include "../common/region_correlation.hpp"
#include "outputs.hpp"
#include "stages.hpp"

namespace assign2 {

namespace {

// The annotation over the same bases as the fit, chromosome after chromosome.
SegmentedMatrix<float> read_annotation(const Run& run, const GenomeSegments<float>& genome) {
  GenomeSegments<float> ann;
  run.procs.fail_together([&] {
    for (std::size_t c = 0; c < genome.chromosomes(); ++c) {
      const Eigen::Index first = genome.first_segment(c), count = genome.segment_count(c);
      const std::int64_t length = std::int64_t(genome.Y.lengths.segment(first, count).cast<double>().sum());
      ann.append(genome.names[c], run.s.start,
                 io::read_region({fs::path(run.s.annotation)}, genome.names[c], run.s.start, run.s.start + length, 1));
    }
  });
  return std::move(ann.Y);
}

// W of each chromosome: per base (each row repeated over its segment's length), or per bin (no
// repeats) with each row's [start, end) in bases beside it.
void stage_w(Run& run, const GenomeSegments<float>& genome, const Eigen::MatrixXf& W) {
  const Settings& s = run.s;
  for (std::size_t c = 0; c < genome.chromosomes(); ++c) {
    const Eigen::Index first = genome.first_segment(c), count = genome.segment_count(c);
    const fs::path target = output_for(s.output, genome.names[c], run.several);
    const auto rows = W.middleRows(first, count);
    const auto lengths = genome.Y.lengths.segment(first, count);
    // Fortran order (the default) is written straight into the staged file, column by column on
    // --threads threads; C order through write_npy's own temporary file.
    auto write_w = [&](const auto&... repeats) {
      const bool doubles = s.dtype == "float64";
      if (s.w_order == "F") {
        const io::TemporaryFile& file = run.outputs.stage_file(target);
        if (doubles) io::write_npy_columns<double>(file, rows, repeats..., s.threads);
        else io::write_npy_columns<float>(file, rows, repeats..., s.threads);
        return;
      }
      const fs::path path = run.outputs.stage(target);
      if (doubles) io::write_npy<double>(path, rows, repeats...);
      else io::write_npy<float>(path, rows, repeats...);
    };
    if (!run.w_per_bin) {
      write_w(lengths);
      continue;
    }
    Eigen::Matrix<std::int64_t, Eigen::Dynamic, 2> edges(count, 2);
    std::int64_t at = s.start;
    for (Eigen::Index i = 0; i < count; ++i) {
      edges(i, 0) = at;
      at += std::int64_t(lengths[i]);
      edges(i, 1) = at;
    }
    io::write_npy<std::int64_t>(run.outputs.stage(edges_for(target)), edges);
    write_w(std::vector<std::int64_t>{});  // each row once
  }
}

void stage_plot(Run& run, const GenomeSegments<float>& genome, const FactorFit& fit, std::int64_t end,
                const std::vector<double>& r, const SegmentedMatrix<float>& ann, const std::vector<std::string>& columns) {
  const Settings& s = run.s;
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
  char buf[64];
  for (Eigen::Index j = 0; j < fit.result.W.cols(); ++j) {
    std::string label = "factor " + std::to_string(j + 1);
    if (!r.empty()) {
      std::snprintf(buf, sizeof buf, " (r %+.2f)", r[std::size_t(j)]);
      label += buf;
    }
    plot.lanes.push_back(lane_of(label, fit.result.W.col(j), genome.Y.lengths, "#1f77b4"));
  }
  if (!s.annotation.empty())
    plot.lanes.push_back(lane_of(fs::path(s.annotation).filename().string(), ann.values.col(0), ann.lengths, "#2ca02c"));
  for (std::size_t j : parse_plot_tracks(s.plot_tracks, run.files)) {
    const SegmentedMatrix<float> track = io::read_region({run.files[j]}, s.chrom, s.start, end, 1);
    plot.lanes.push_back(lane_of(run.files[j].filename().string(), track.values.col(0), track.lengths, "#7f7f7f"));
  }
  plot.H = fit.result.H.cast<double>();
  plot.track_names = columns;
  examples::write_svg(run.outputs.stage(s.plot), plot);
  run.say("wrote the plot " + s.plot);
}

}  // namespace

void write_outputs(Run& run, const Preprocessed<float>& prepared, const FactorFit& fit, std::int64_t end) {
  const Settings& s = run.s;
  const GenomeSegments<float>& genome = prepared.genome;
  const NMFResult<float>& result = fit.result;
  std::vector<double> r;
  SegmentedMatrix<float> ann;
  if (!s.annotation.empty()) {
    ann = read_annotation(run, genome);
    r = examples::column_correlations<float>(result.W, genome.Y.lengths, ann, run.procs.reduce);
  }
  stage_w(run, genome, result.W);
  if (run.procs.root() && !s.h_output.empty()) io::write_npy<float>(run.outputs.stage(s.h_output), result.H);
  const std::vector<std::string> columns = column_names(run.files, prepared.windows);
  if (run.procs.root() && !s.h_tsv.empty()) write_h_tsv(run.outputs.stage(s.h_tsv), result.H, columns);

  char buf[256];
  for (Eigen::Index j = 0; j < result.H.rows(); ++j) {  // what each factor is made of
    std::string line = "factor " + std::to_string(j + 1) + ":";
    if (!r.empty()) {
      std::snprintf(buf, sizeof buf, " r = %+.4f;", r[std::size_t(j)]);
      line += buf;
    }
    run.say(line + " top tracks " + top_tracks(result.H, j, columns));
  }
  if (!r.empty() && run.procs.root()) {
    std::size_t best_j = 0;
    for (std::size_t j = 1; j < r.size(); ++j)
      if (r[j] > r[best_j]) best_j = j;
    std::printf("max_r %.4f column %zu (annotation %s)\n", r[best_j], best_j, s.annotation.c_str());
  }
  if (!s.plot.empty()) stage_plot(run, genome, fit, end, r, ann, columns);

  // The factor tracks are staged with the rest, and the whole set goes into place at once
  // (OutputSet::commit: a SIGTERM among the renames waits for the last). A run writing the
  // same -o meanwhile waits for the lock, so each set at the final names is one run's.
  const std::unique_ptr<io::OutputLock> lock = run.procs.root() ? std::make_unique<io::OutputLock>(s.output) : nullptr;
  if (!s.bigwig_out.empty()) {
    const std::vector<io::Chromosome> header = io::BigWigFile(run.files.front()).chromosomes();
    std::vector<io::TrackSpan> spans;
    for (std::size_t c = 0; c < genome.chromosomes(); ++c)
      spans.push_back({genome.names[c], s.start, genome.first_segment(c), genome.segment_count(c)});
    const auto written = io::write_factor_tracks(s.bigwig_out, fs::path(s.output).stem().string(), header, spans,
                                                 result.W, genome.Y.lengths, &run.outputs);
    run.say("wrote " + std::to_string(written.size()) + " factor tracks: " + written.front().string() + " ...");
  }
  run.outputs.commit();
  if (run.procs.size > 1) run.say("ranks: " + std::to_string(run.procs.size) + ", each writing the W files of its chromosomes");
  std::snprintf(buf, sizeof buf,
                "wrote %s%s (%lld x %d %s): %d iterations (%s, %s, residual %.1e), read %.2f s, NMF %.2f s, total %.2f s",
                output_for(s.output, genome.names.front(), run.several).c_str(), run.several ? " ..." : "",
                static_cast<long long>(run.bases), s.k, s.dtype.c_str(), result.iterations,
                to_string(fit.options.solver), to_string(result.status),
                result.residual.empty() ? 0.0 : result.residual.back(), run.read_seconds, fit.seconds, run.seconds());
  run.say(buf);
}

}  // namespace assign2
