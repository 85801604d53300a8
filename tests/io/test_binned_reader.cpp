// read_binned against a naive per-base reference, on random interval sets written with libBigWig
// in all three section types, with small blocks so that regions and bins cut through blocks.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/binned_reader.hpp>
#include <fusednmf/io/genome_reader.hpp>
#include <fusednmf/preprocess.hpp>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using fusednmf::io::BinnedReadOptions;
using fusednmf::io::read_binned;

using fusednmf::testing::TempDir;

namespace {

struct Interval {
  std::uint32_t start, end;
  float value;
};

enum class Section { BedGraph, VarStep, FixedStep };


constexpr std::uint32_t kChromLength = 30000;

// Values: mostly positive, some 0, negative and NaN (the reader clips and counts those).
float draw_value(std::mt19937_64& rng) {
  const int kind = int(rng() % 20);
  if (kind == 0) return std::numeric_limits<float>::quiet_NaN();
  if (kind == 1) return -float(rng() % 100) / 8.f;
  if (kind == 2) return 0.f;
  return float(rng() % 100000) / 997.f;
}

// Random intervals on [0, kChromLength) as one or more sections of `type`, written with libBigWig
// with 512-byte blocks (a few dozen intervals each), so there are hundreds of blocks.
std::vector<Interval> write_random_track(const fs::path& path, Section type, std::mt19937_64& rng) {
  std::vector<Interval> all;
  bigWigFile_t* fp = bwOpen(path.c_str(), nullptr, "w");
  REQUIRE(fp);
  REQUIRE(bwCreateHdr(fp, 0) == 0);
  fp->hdr->bufSize = 512;  // small blocks: libBigWig flushes a block when this fills
  const char* names[] = {"chr1", "chr2"};
  std::uint32_t lengths[] = {kChromLength, 1000};
  fp->cl = bwCreateChromList(names, lengths, 2);
  REQUIRE(fp->cl);
  REQUIRE(bwWriteHdr(fp) == 0);
  std::uint32_t pos = std::uint32_t(rng() % 50);
  const char* chrom[] = {"chr1"};
  bool first_section = true;
  while (pos + 200 < kChromLength) {  // sections of 50-400 items, gaps between them
    const std::uint32_t items = 50 + std::uint32_t(rng() % 350);
    std::vector<std::uint32_t> starts, ends;
    std::vector<float> values;
    const std::uint32_t span = 1 + std::uint32_t(rng() % 30), step = span + std::uint32_t(rng() % 5);
    const std::uint32_t section_start = pos;
    for (std::uint32_t i = 0; i < items && pos + 60 < kChromLength; ++i) {
      std::uint32_t a = pos, b = pos + span;
      if (type == Section::BedGraph) {
        b = a + (rng() % 25 == 0 ? 0 : 1 + std::uint32_t(rng() % 40));  // some zero-length
        pos = b + (rng() % 3 == 0 ? std::uint32_t(rng() % 20) : 0);      // gaps, or back to back
      } else if (type == Section::VarStep) {
        pos = b + std::uint32_t(rng() % 10);
      } else {
        a = section_start + i * step, b = a + span;
        pos = a + step;
      }
      starts.push_back(a), ends.push_back(b), values.push_back(draw_value(rng));
      all.push_back({a, b, values.back()});
    }
    if (type == Section::BedGraph) {
      REQUIRE(bwAddIntervals(fp, chrom, starts.data(), ends.data(), values.data(), 1) == 0);
      if (starts.size() > 1)
        REQUIRE(bwAppendIntervals(fp, starts.data() + 1, ends.data() + 1, values.data() + 1,
                                  std::uint32_t(starts.size() - 1)) == 0);
    } else if (type == Section::VarStep) {
      REQUIRE(bwAddIntervalSpans(fp, "chr1", starts.data(), span, values.data(), std::uint32_t(starts.size())) == 0);
    } else {
      REQUIRE(bwAddIntervalSpanSteps(fp, "chr1", section_start, span, step, values.data(),
                                     std::uint32_t(starts.size())) == 0);
    }
    first_section = false;
    pos += 100 + std::uint32_t(rng() % 400);
  }
  (void)first_section;
  bwClose(fp);
  return all;
}

// One random track per section type, t0.bw, t1.bw, ... in `dir`.
struct Tracks {
  std::vector<fs::path> files;
  std::vector<std::vector<Interval>> intervals;
};
Tracks random_tracks(const fs::path& dir, std::mt19937_64& rng, const std::vector<Section>& types) {
  Tracks out;
  for (std::size_t j = 0; j < types.size(); ++j) {
    out.files.push_back(dir / ("t" + std::to_string(j) + ".bw"));
    out.intervals.push_back(write_random_track(out.files.back(), types[j], rng));
  }
  return out;
}

// The reference: every base's value in double (NaN: no data), then plain averages per bin.
Eigen::MatrixXd naive_bins(const std::vector<std::vector<Interval>>& tracks, std::int64_t start, std::int64_t end,
                           std::int64_t bin, bool missing_as_nan) {
  const std::int64_t n = end - start, nbins = (n + bin - 1) / bin;
  Eigen::MatrixXd out(nbins, Eigen::Index(tracks.size()));
  for (std::size_t j = 0; j < tracks.size(); ++j) {
    std::vector<double> base(std::size_t(n), std::numeric_limits<double>::quiet_NaN());
    for (const auto& iv : tracks[j])
      for (std::int64_t p = std::max<std::int64_t>(iv.start, start); p < std::min<std::int64_t>(iv.end, end); ++p)
        base[std::size_t(p - start)] = std::isnan(iv.value) ? std::numeric_limits<double>::quiet_NaN()
                                                            : std::max(0.0, double(iv.value));
    for (std::int64_t b = 0; b < nbins; ++b) {
      double sum = 0, observed = 0;
      const std::int64_t lo = b * bin, hi = std::min(n, lo + bin);
      for (std::int64_t p = lo; p < hi; ++p)
        if (!std::isnan(base[std::size_t(p)])) sum += base[std::size_t(p)], observed += 1;
      out(b, Eigen::Index(j)) = missing_as_nan ? (observed > 0 ? sum / observed : std::numeric_limits<double>::quiet_NaN())
                                               : sum / double(hi - lo);
    }
  }
  return out;
}

bool same_bytes(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * std::size_t(a.size())) == 0;
}

}  // namespace

TEST_CASE("read_binned equals a per-base reference on random tracks of every section type", "[io][binned]") {
  TempDir dir("binned");
  std::mt19937_64 rng(GENERATE(1, 2, 3));
  const auto [files, tracks] =
      random_tracks(dir.path, rng, {Section::BedGraph, Section::VarStep, Section::FixedStep, Section::BedGraph});
  for (int trial = 0; trial < 6; ++trial) {
    // Region edges anywhere: inside intervals, inside blocks, or the whole chromosome.
    const std::int64_t start = trial == 0 ? 0 : std::int64_t(rng() % 10000);
    const std::int64_t end = trial == 0 ? -1 : start + 1 + std::int64_t(rng() % 20000);
    const std::int64_t stop = end < 0 ? kChromLength : end;
    for (std::int64_t bin : {std::int64_t(1), std::int64_t(7), std::int64_t(200), std::int64_t(100000)})
      for (bool missing : {false, true}) {
        CAPTURE(trial, start, end, bin, missing);
        BinnedReadOptions opt;
        opt.bin = bin;
        opt.missing_as_nan = missing;
        opt.threads = 2;
        fusednmf::io::RegionReport report;
        const auto Y = read_binned(files, "chr1", start, end, opt, &report);
        const Eigen::MatrixXd expected = naive_bins(tracks, start, stop, bin, missing);
        REQUIRE(Y.values.rows() == expected.rows());
        REQUIRE(Y.expanded_rows() == stop - start);
        for (Eigen::Index b = 0; b < expected.rows(); ++b)
          for (Eigen::Index j = 0; j < expected.cols(); ++j) {
            const double want = expected(b, j), got = Y.values(b, j);
            if (std::isnan(want)) {
              REQUIRE(std::isnan(got));
            } else {
              REQUIRE(got == Approx(want).epsilon(1e-6).margin(1e-6));
            }
          }
        // The work split changes nothing, not even a bit.
        opt.threads = 1;
        opt.blocks_per_task = 1;
        CHECK(same_bytes(read_binned(files, "chr1", start, end, opt).values, Y.values));
        opt.blocks_per_task = 1000;
        CHECK(same_bytes(read_binned(files, "chr1", start, end, opt).values, Y.values));
        // Clipped negatives and NaNs are counted per base inside the region.
        std::int64_t negatives = 0, nans = 0;
        for (const auto& t : tracks)
          for (const auto& iv : t) {
            const std::int64_t covered =
                std::max<std::int64_t>(0, std::min<std::int64_t>(iv.end, stop) - std::max<std::int64_t>(iv.start, start));
            if (std::isnan(iv.value)) nans += covered;
            else if (iv.value < 0) negatives += covered;
          }
        CHECK(report.negative_values_clipped == negatives);
        CHECK(report.nan_values_zeroed == nans);
      }
  }
}

TEST_CASE("read_region's segments expand to the per-base reference, for any thread count", "[io][segments]") {
  TempDir dir("binned");
  std::mt19937_64 rng(GENERATE(4, 5));
  const auto [files, tracks] = random_tracks(dir.path, rng, {Section::FixedStep, Section::BedGraph, Section::VarStep});
  for (int trial = 0; trial < 5; ++trial) {
    const std::int64_t start = trial == 0 ? 0 : std::int64_t(rng() % 10000);
    const std::int64_t end = trial == 0 ? -1 : start + 1 + std::int64_t(rng() % 20000);
    const std::int64_t stop = end < 0 ? kChromLength : end;
    for (bool missing : {false, true}) {
      CAPTURE(trial, start, end, missing);
      fusednmf::io::RegionReport report;
      const auto Y = fusednmf::io::read_region(files, "chr1", start, end, 2, &report, missing);
      const Eigen::MatrixXd expected = naive_bins(tracks, start, stop, 1, missing);
      const Eigen::MatrixXf dense = fusednmf::expand_rows(Y.values, Y.lengths);
      REQUIRE(dense.rows() == expected.rows());
      for (Eigen::Index b = 0; b < expected.rows(); ++b)
        for (Eigen::Index j = 0; j < expected.cols(); ++j) {
          if (std::isnan(expected(b, j))) REQUIRE(std::isnan(dense(b, j)));
          else REQUIRE(double(dense(b, j)) == float(expected(b, j)));  // a value as stored, exactly
        }
      for (Eigen::Index s = 1; s < Y.segments(); ++s) REQUIRE_FALSE(fusednmf::same_row(Y, s - 1, s));  // maximal
      // Pieces merged apart and joined again give the same segments, on any thread count.
      for (std::int64_t piece : {std::int64_t(1), std::int64_t(37), std::int64_t(1000)}) {
        fusednmf::io::SegmentReadOptions opt;
        opt.threads = 1 + int(piece % 2);
        opt.missing_as_nan = missing;
        opt.piece_bases = piece;
        const auto again = fusednmf::io::read_segments(files, "chr1", start, end, opt);
        CHECK(same_bytes(again.values, Y.values));
        CHECK(again.lengths == Y.lengths);
      }
      std::int64_t nans = 0;
      for (const auto& t : tracks)
        for (const auto& iv : t)
          if (std::isnan(iv.value))
            nans += std::max<std::int64_t>(0, std::min<std::int64_t>(iv.end, stop) - std::max<std::int64_t>(iv.start, start));
      CHECK(report.nan_values_zeroed == nans);
    }
  }
}

TEST_CASE("read_binned gives what read_region and average_into_bins give", "[io][binned]") {
  TempDir dir("binned");
  std::mt19937_64 rng(11);
  const auto files = random_tracks(dir.path, rng, {Section::BedGraph, Section::FixedStep, Section::BedGraph}).files;
  for (bool missing : {false, true}) {
    BinnedReadOptions opt;
    opt.bin = 200;
    opt.missing_as_nan = missing;
    const auto binned = read_binned(files, "chr1", 123, 29000, opt);
    const auto old = fusednmf::average_into_bins(fusednmf::io::read_region(files, "chr1", 123, 29000, 2, nullptr, missing), 200);
    REQUIRE(binned.values.rows() == old.values.rows());
    CHECK(binned.lengths == old.lengths);
    CHECK(((binned.values - old.values).array().abs() <= 1e-6f * (1.f + old.values.array().abs()) ||
           (binned.values.array().isNaN() && old.values.array().isNaN()))
              .all());
  }
}

TEST_CASE("read_binned reports progress and reads chromosomes without data as empty", "[io][binned]") {
  TempDir dir("binned");
  std::mt19937_64 rng(5);
  const fs::path file = dir.path / "t.bw";
  write_random_track(file, Section::BedGraph, rng);
  BinnedReadOptions opt;
  std::size_t last_done = 0, total = 0;
  opt.progress = [&](const fusednmf::io::ReadProgress& p) {
    CHECK(p.blocks_done >= last_done);
    last_done = p.blocks_done, total = p.blocks_total;
  };
  read_binned({file}, "chr1", 0, -1, opt);
  CHECK(total > 20);  // many small blocks
  CHECK(last_done == total);
  const auto empty = read_binned({file}, "chr2", 0, -1);  // in the header, no data
  CHECK(empty.values.rows() == 5);
  CHECK(empty.values.maxCoeff() == 0.f);
  opt.progress = nullptr;
  opt.missing_as_nan = true;
  CHECK(read_binned({file}, "chr2", 0, -1, opt).values.array().isNaN().all());
}

TEST_CASE("read_binned rejects overlapping intervals and corrupt files, naming the file", "[io][binned][corrupt]") {
  using Catch::Matchers::Contains;
  TempDir dir("binned");
  // Overlaps libBigWig writes without complaint: inside one block, and across blocks.
  for (std::uint32_t overlap_at : {5u, 300u}) {
    const fs::path path = dir.path / ("overlap" + std::to_string(overlap_at) + ".bw");
    bigWigFile_t* fp = bwOpen(path.c_str(), nullptr, "w");
    REQUIRE(fp);
    REQUIRE(bwCreateHdr(fp, 0) == 0);
    fp->hdr->bufSize = 512;
    const char* names[] = {"chr1"};
    std::uint32_t lengths[] = {kChromLength};
    fp->cl = bwCreateChromList(names, lengths, 1);
    REQUIRE(bwWriteHdr(fp) == 0);
    std::vector<std::uint32_t> starts, ends;
    std::vector<float> values;
    for (std::uint32_t i = 0; i < 400; ++i) {
      starts.push_back(i * 10), ends.push_back(i * 10 + (i == overlap_at ? 25 : 10)), values.push_back(1.f);
    }
    REQUIRE(bwAddIntervals(fp, names, starts.data(), ends.data(), values.data(), 1) == 0);
    REQUIRE(bwAppendIntervals(fp, starts.data() + 1, ends.data() + 1, values.data() + 1, 399) == 0);
    bwClose(fp);
    CHECK_THROWS_WITH(read_binned({path}, "chr1", 0, -1), Contains(path.filename().string()) && Contains("overlap"));
    CHECK_THROWS_WITH(fusednmf::io::read_region({path}, "chr1", 0, -1), Contains(path.filename().string()) && Contains("overlap"));
  }

  // Corrupt data blocks: every byte after the header and chromosome list flipped in turn would be
  // slow, so flip a few hundred spread over the file. Each read either fails with a message naming
  // the file or succeeds; it never crashes (the sanitizer build checks memory too).
  std::mt19937_64 rng(9);
  const fs::path good = dir.path / "good.bw";
  write_random_track(good, Section::BedGraph, rng);
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path bad = dir.path / "bad.bw";
  int failures = 0;
  for (std::size_t k = 0; k < 300; ++k) {
    std::string copy = bytes;
    const std::size_t at = 400 + (k * 7919) % (copy.size() - 400);
    copy[at] = char(copy[at] ^ (1 + int(rng() % 255)));
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << copy;
    try {
      read_binned({bad}, "chr1", 0, -1);
    } catch (const std::runtime_error& e) {
      ++failures;
      CHECK_THAT(std::string(e.what()), Contains("bad.bw"));
    }
  }
  CHECK(failures > 100);  // compressed blocks carry a checksum: most flips are caught
  // Truncated: the index or the blocks are gone.
  for (std::size_t keep : {bytes.size() / 2, bytes.size() - 10}) {
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
    CHECK_THROWS_WITH(read_binned({bad}, "chr1", 0, -1), Contains("bad.bw"));
  }
}

TEST_CASE("read_genome reads every chromosome, masks what the BED excludes and totals it", "[io][genome]") {
  TempDir dir("binned");
  std::mt19937_64 rng(21);
  const auto files = random_tracks(dir.path, rng, {Section::BedGraph, Section::BedGraph}).files;
  fusednmf::io::GenomeReadOptions options;
  options.bin = 100;
  options.exclude["chr1"] = {{1050, 1300}, {20000, 20001}};  // bins 10-12 and 200
  const auto got = fusednmf::io::read_genome(files, {"chr1", "chr2"}, options);
  REQUIRE(got.names == std::vector<std::string>{"chr1", "chr2"});
  BinnedReadOptions binned;
  binned.bin = 100;
  auto expected = read_binned(files, "chr1", 0, -1, binned);
  CHECK(fusednmf::mask_intervals(expected, 0, options.exclude["chr1"]) == 4 * 100);
  for (Eigen::Index i = 0; i < expected.values.rows(); ++i)
    for (Eigen::Index j = 0; j < 2; ++j)
      CHECK((got.tracks[0].values(i, j) == expected.values(i, j) ||
             (std::isnan(got.tracks[0].values(i, j)) && std::isnan(expected.values(i, j)))));
  CHECK(got.tracks[1].values.maxCoeff() == 0.f);  // chr2: in the header, no data
  CHECK(got.bases == kChromLength + 1000);
  CHECK(got.rows == std::int64_t(kChromLength / 100 + 10));
  CHECK(got.excluded_bases == 400);
  CHECK(got.missing_entries == 400.0 * 2);  // bases x tracks
  CHECK(got.any_signal);
  // At bin 1 the rows are run-length segments.
  options.bin = 1;
  options.exclude.clear();
  const auto segments = fusednmf::io::read_genome(files, {"chr1"}, options);
  CHECK(segments.tracks[0].expanded_rows() == kChromLength);
  CHECK(segments.missing_entries == 0.0);
}
