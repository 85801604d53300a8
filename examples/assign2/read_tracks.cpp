// assign2's reading stage: every file over the chromosomes asked for, as run-length segments
// (io/genome_reader.hpp does the work and shares it between processes), then what a user should
// know about the data read, and whether the W files it implies fit the budget and the disk.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include <fusednmf/io/bed.hpp>

#include "stages.hpp"

namespace assign2 {

namespace {

void report(const Run& run, const io::GenomeRead& tracks) {
  const Settings& s = run.s;
  if (tracks.report.negative_values_clipped > 0)
    std::cerr << "assign2: warning: " << tracks.report.negative_values_clipped
              << " negative values (bases x tracks) clipped to 0\n";
  if (tracks.report.nan_values_zeroed > 0 && s.missing == "zero")
    std::cerr << "assign2: warning: " << tracks.report.nan_values_zeroed
              << " NaN values (bases x tracks) read as 0 (--missing mask leaves them out instead)\n";
  char buf[256];
  if (run.masking) {
    std::snprintf(buf, sizeof buf, "missing (masked out of the fit): %.0f bases x tracks of %.0f", tracks.missing_entries,
                  double(tracks.bases) * double(run.files.size()));
    run.say(buf);
  }
  if (!s.exclude.empty())
    run.say("excluded (masked out of the fit) " + std::to_string(tracks.excluded_bases) + " bases overlapping " + s.exclude);
  std::snprintf(buf, sizeof buf, "read %lld bases as %lld %s in %.2f s", static_cast<long long>(tracks.bases),
                static_cast<long long>(tracks.rows), s.bin > 1 ? "bins" : "segments", run.read_seconds);
  run.say(buf);
  if (!tracks.without_signal.empty() && run.several) {
    std::string names;
    for (std::size_t c = 0; c < std::min<std::size_t>(tracks.without_signal.size(), 10); ++c)
      names += (c ? ", " : "") + tracks.without_signal[c];
    if (tracks.without_signal.size() > 10) names += ", ...";
    run.say("no file has data (a value > 0) on " + std::to_string(tracks.without_signal.size()) + " of " +
            std::to_string(run.chromosomes.size()) + " chromosomes (" + names + "): " +
            (s.skip_empty ? "left out (--skip-empty), no W file for them" : "their W is 0; --skip-empty leaves them out"));
  }
}

// W per base, or per bin as read (at most: merging equal rows only shrinks it) with 16 bytes of
// edges per row: refused over --output-budget (unless --force) or over the free space.
void check_output_size(const Run& run, const io::GenomeRead& tracks) {
  const Settings& s = run.s;
  const double w_rows = run.w_per_bin ? double(tracks.rows) : double(tracks.bases);
  const double w_bytes = w_rows * (double(s.k) * (s.dtype == "float64" ? 8.0 : 4.0) + (run.w_per_bin ? 16.0 : 0.0));
  const std::string w_files = "the W files (" + std::to_string(std::int64_t(w_rows)) +
                              (run.w_per_bin ? " bins" : " bases") + " x " + std::to_string(s.k) + " " + s.dtype + ")";
  if (w_bytes > s.output_budget_gb * 1e9 && !s.force) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  " would take %.3g GB, more than --output-budget (%g GB): choose a smaller region or k, or pass --force",
                  w_bytes / 1e9, s.output_budget_gb);
    throw std::runtime_error(w_files + buf);
  }
  io::check_free_space(s.output, w_bytes, w_files);
}

}  // namespace

io::GenomeRead read_tracks(Run& run) {
  const Settings& s = run.s;
  std::string order;
  for (std::size_t j = 0; j < run.files.size(); ++j)
    order += "\n  column " + std::to_string(j) + ": " + run.files[j].filename().string();
  run.say("reading " + std::to_string(run.files.size()) + " bigWig files over " +
          (run.several ? std::to_string(run.chromosomes.size()) + " chromosomes (" + s.chrom + ")"
                       : s.chrom + ":" + std::to_string(s.start) + "-" +
                             (s.end < 0 ? std::string("end") : std::to_string(s.end))) +
          order);
  io::GenomeReadOptions read;
  read.start = s.start, read.end = s.end, read.bin = s.bin, read.threads = s.threads;
  read.missing_as_nan = s.missing == "mask";
  read.skip_without_signal = s.skip_empty;
  if (!s.exclude.empty()) read.exclude = io::read_bed(s.exclude);  // a bad file fails before reading
  double printed = 0;
  if (!s.quiet && run.procs.root())
    read.progress = [&](const std::string& chrom, const io::ReadProgress& p) {
      if (p.seconds - printed < 2 || p.blocks_done == p.blocks_total) return;
      printed = p.seconds;
      std::fprintf(stderr, "assign2: reading %s: %zu of %zu blocks, %.0f MB/s inflated\n", chrom.c_str(),
                   p.blocks_done, p.blocks_total, double(p.bytes_inflated) / 1e6 / p.seconds);
    };
  io::GenomeRead tracks = io::read_genome(run.files, run.chromosomes, read, run.procs);
  run.bases = tracks.bases;
  run.read_seconds = run.seconds();
  report(run, tracks);
  if (!tracks.any_signal) throw std::runtime_error("every track is 0 (or missing) over the region");
  check_output_size(run, tracks);
  return tracks;
}

}  // namespace assign2
