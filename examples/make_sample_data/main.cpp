// make_sample_data: realistic synthetic bigWig tracks with planted genes, and the matching gene
// annotation, so that assign2 can be run and scored end to end without downloading anything.
//
//   make_sample_data -o DIR [--tracks 12] [--chromosomes chr1:3000000,chr2:2000000] [--seed 1]
//
// Writes DIR/tracks/NN_<mark>.bw (one per track) and DIR/annotation/genes.bw (1 inside genes).
// Each chromosome gets genes (lognormal lengths around 20 kb, 60% expressed) separated by
// intergenic stretches, enhancers, CTCF sites, repressed and heterochromatin domains, and an
// assembly gap with no data. Marks follow their usual biology: H3K36me3 and H3K79me2 over bodies
// of expressed genes, H3K4me3/H3K27ac/DNase/Pol2 at active promoters, H3K4me1/H3K27ac at
// enhancers, H3K27me3 over silent genes, H3K9me3 in heterochromatin, CTCF at its sites, input
// as background. Values are Poisson counts per 50 bp bin, so tracks are piecewise constant; with
// --dense they are continuous fold-enrichment-like values on intervals of 10-50 bp instead
// (--interval-bases sets the range: coverage tracks have intervals of a few bases).
// Extra header-only chromosomes make the files look like whole-genome ones.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <fusednmf/detail/random.hpp>
#include <fusednmf/io/bigwig_writer.hpp>

namespace fs = std::filesystem;
using fusednmf::io::Chromosome;
using fusednmf::io::Runs;

namespace {

constexpr std::uint32_t kBin = 50;

struct Gene {
  std::uint32_t start, end;
  bool expressed;
};

struct Landscape {  // per chromosome, per bin
  std::vector<Gene> genes;
  std::vector<std::uint32_t> enhancers, ctcf;          // bin indices of point features
  std::vector<std::pair<std::uint32_t, std::uint32_t>> k9_domains, k27_domains;  // bin ranges
  std::pair<std::uint32_t, std::uint32_t> gap;          // bin range without data
};

Landscape plant(std::uint32_t length, fusednmf::detail::Random& rng) {
  Landscape L;
  // Every draw from the library's generator (detail/random.hpp), not std:: distributions, whose
  // output differs between standard libraries: the same seed gives the same tracks everywhere.
  auto gene_length = [&] { return std::exp(std::log(20000.0) + 0.8 * rng.normal()); };  // log-normal
  auto intergenic = [&] { return -40000.0 * std::log1p(-rng.uniform()); };               // exponential, mean 40 kb
  auto chance = [&](double p) { return rng.uniform() < p; };
  for (double pos = 20000 + intergenic(); pos < length - 50000;) {
    const double len = std::clamp(gene_length(), 3000.0, 150000.0);
    L.genes.push_back({std::uint32_t(pos), std::uint32_t(std::min<double>(pos + len, length - 1)), chance(0.6)});
    pos += len + 5000 + intergenic();
  }
  const std::uint32_t bins = length / kBin;
  auto any_bin = [&] { return std::uint32_t(rng.below(bins)); };
  for (std::uint32_t i = 0; i < bins / 400; ++i) L.enhancers.push_back(any_bin());
  for (std::uint32_t i = 0; i < bins / 800; ++i) L.ctcf.push_back(any_bin());
  auto domain = [&] { return 400 + std::uint32_t(rng.below(2601)); };  // 400-3000 bins: 20-150 kb
  for (std::uint32_t i = 0; i < std::max(1u, bins / 20000); ++i) {
    const std::uint32_t a = any_bin();
    L.k9_domains.push_back({a, std::min(bins, a + domain())});
  }
  for (const Gene& g : L.genes)
    if (!g.expressed && chance(0.7)) L.k27_domains.push_back({g.start / kBin, std::min(bins, g.end / kBin + 40)});
  const std::uint32_t gap_start = any_bin();
  L.gap = {gap_start, std::min(bins, gap_start + 1000)};  // 50 kb assembly gap
  return L;
}

// Mean count per bin of one mark over one chromosome.
std::vector<double> mark_rate(const std::string& mark, const Landscape& L, std::uint32_t bins, double depth) {
  std::vector<double> rate(bins, 0.3 * depth);  // background
  auto add = [&](std::int64_t a, std::int64_t b, double v) {
    for (std::int64_t i = std::max<std::int64_t>(a, 0); i < std::min<std::int64_t>(b, bins); ++i) rate[i] += v * depth;
  };
  const std::int64_t promoter = 1000 / kBin;
  for (const Gene& g : L.genes) {
    const std::int64_t a = g.start / kBin, b = g.end / kBin;
    if (g.expressed) {
      if (mark == "H3K36me3") add(a + (b - a) / 5, b, 3.0);  // body, stronger towards 3'
      if (mark == "H3K36me3") add(a + (b - a) / 2, b, 1.5);
      if (mark == "H3K79me2") add(a, a + (b - a) / 2, 3.0);
      if (mark == "Pol2") add(a, b, 0.8), add(a - promoter, a + promoter, 6.0);
      if (mark == "H3K4me3" || mark == "DNase" || mark == "H3K27ac" || mark == "FAIRE")
        add(a - promoter, a + promoter, mark == "FAIRE" ? 2.5 : 6.0);
      if (mark == "H4K20me1") add(a, b, 1.2);
    }
  }
  for (std::uint32_t e : L.enhancers) {
    if (mark == "H3K4me1") add(e - 20, e + 20, 2.5);
    if (mark == "H3K27ac" || mark == "DNase") add(e - 4, e + 4, 3.0);
  }
  for (std::uint32_t c : L.ctcf)
    if (mark == "CTCF" || mark == "DNase") add(c - 3, c + 3, mark == "CTCF" ? 8.0 : 2.0);
  for (auto [a, b] : L.k27_domains)
    if (mark == "H3K27me3") add(a, b, 2.0);
  for (auto [a, b] : L.k9_domains)
    if (mark == "H3K9me3") add(a, b, 2.5);
  return rate;
}

const std::vector<std::string> kMarks = {"H3K36me3", "H3K4me3", "H3K27ac", "H3K4me1", "H3K27me3", "DNase",
                                         "CTCF",     "H3K79me2", "Pol2",   "H3K9me3", "FAIRE",    "H4K20me1",
                                         "Input"};

std::vector<Chromosome> parse_chromosomes(const std::string& spec) {
  std::vector<Chromosome> out;
  std::stringstream ss(spec);
  for (std::string item; std::getline(ss, item, ',');) {
    const auto colon = item.find(':');
    if (colon == std::string::npos) throw std::runtime_error("--chromosomes: expected NAME:LENGTH, got '" + item + "'");
    const long long len = std::stoll(item.substr(colon + 1));
    if (len < 200000 || len > 4000000000LL)
      throw std::runtime_error("--chromosomes: length of " + item.substr(0, colon) + " must be 200000..4e9");
    out.push_back({item.substr(0, colon), std::uint32_t(len)});
  }
  if (out.empty()) throw std::runtime_error("--chromosomes: no chromosome given");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir, chrom_spec = "chr1:3000000,chr2:2000000";
  int tracks = 12;
  std::uint64_t seed = 1;
  bool quiet = false, dense = false;
  std::string interval_bases = "10-50";
  CLI::App app{"make_sample_data: synthetic bigWig tracks with planted genes, and the gene annotation"};
  app.add_option("-o,--output", out_dir, "Output directory (tracks/ and annotation/ are created in it)")->required();
  app.add_option("--tracks", tracks, "Number of tracks (marks repeat as replicates past 13)")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--chromosomes", chrom_spec, "NAME:LENGTH,... chromosomes with data")->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_flag("--dense", dense, "Dense continuous signal (fold-enrichment-like values on 10-50 bp intervals, most bins non-zero) instead of Poisson counts per 50 bp bin");
  app.add_option("--interval-bases", interval_bases, "With --dense: interval lengths MIN-MAX in bases, drawn uniformly")->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "No progress output");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const std::vector<Chromosome> with_data = parse_chromosomes(chrom_spec);
    unsigned shortest = 0, longest = 0;
    char tail = 0;
    if (std::sscanf(interval_bases.c_str(), "%u-%u%c", &shortest, &longest, &tail) != 2 || shortest < 1 ||
        longest < shortest || longest > 1000000)
      throw std::runtime_error("--interval-bases: '" + interval_bases + "' is not MIN-MAX with 1 <= MIN <= MAX <= 1000000");
    std::vector<Chromosome> header = with_data;  // plus header-only ones, like whole-genome files
    for (const char* extra : {"chrX", "chrY", "chrM"})
      if (std::none_of(header.begin(), header.end(), [&](const Chromosome& c) { return c.name == extra; }))
        header.push_back({extra, extra[3] == 'M' ? 16571u : 1000000u});
    fs::create_directories(fs::path(out_dir) / "tracks");
    fs::create_directories(fs::path(out_dir) / "annotation");

    fusednmf::detail::Random rng(seed), noise(seed ^ 0x5DEECE66DULL);  // the landscape; the values
    std::vector<Landscape> land;
    for (const auto& c : with_data) land.push_back(plant(c.length, rng));

    std::vector<Runs> genes(header.size());
    for (std::size_t c = 0; c < with_data.size(); ++c)
      for (const Gene& g : land[c].genes) genes[c].add(g.start, g.end, 1.0f);
    fusednmf::io::write_bigwig(fs::path(out_dir) / "annotation" / "genes.bw", header, genes);

    for (int t = 0; t < tracks; ++t) {
      const std::string mark = kMarks[std::size_t(t) % kMarks.size()];
      const double depth = 1.0 + 0.5 * double(t / int(kMarks.size()));  // replicates differ in depth
      std::vector<Runs> runs(header.size());
      for (std::size_t c = 0; c < with_data.size(); ++c) {
        const std::uint32_t bins = with_data[c].length / kBin;
        const std::vector<double> rate = mark_rate(mark, land[c], bins, depth);
        if (dense) {  // fold-enrichment-like: continuous values on intervals of 10-50 bp
          const std::uint32_t end = bins * kBin;
          for (std::uint32_t pos = 0; pos < end;) {
            const std::uint32_t len =
                std::min<std::uint32_t>(shortest + std::uint32_t(noise.below(longest - shortest + 1)), end - pos);
            const std::uint32_t i = pos / kBin;
            if (!(i >= land[c].gap.first && i < land[c].gap.second)) {
              const double level = rate[i] * noise.gamma(4.0) / 4.0;  // mean rate, CV 0.5
              runs[c].add(pos, pos + len, float(std::round(level * 100.0) / 100.0));
            }
            pos += len;
          }
          continue;
        }
        for (std::uint32_t i = 0; i < bins; ++i) {
          if (i >= land[c].gap.first && i < land[c].gap.second) continue;  // no data in the gap
          const float v = float(noise.poisson(rate[i]));
          runs[c].add(i * kBin, (i + 1) * kBin, v);
        }
      }
      char name[64];
      std::snprintf(name, sizeof name, "%02d_%s.bw", t, mark.c_str());
      fusednmf::io::write_bigwig(fs::path(out_dir) / "tracks" / name, header, runs);
      if (!quiet) std::cerr << "make_sample_data: wrote tracks/" << name << "\n";
    }
    std::size_t n_genes = 0;
    for (const auto& l : land) n_genes += l.genes.size();
    if (!quiet)
      std::cerr << "make_sample_data: " << tracks << " tracks and annotation/genes.bw (" << n_genes
                << " genes) in " << out_dir << "\n";
  } catch (const std::exception& e) {
    std::cerr << "make_sample_data: error: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
