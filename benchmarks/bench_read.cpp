// Reading bigWig tracks into 200 bp bins: read_binned on 1 and 2 threads, the old path it
// replaced (read_region, then average_into_bins), and inflate alone over the same data blocks
// with each library, the limit for a reader that must decompress every block.
//
//   bench_read DIR CHROM START END [benchmark flags]   (every *.bw in DIR; END -1: the chromosome's end)
//
// benchmarks/compare_reader.sh runs it beside pyBigWig's values() on the same files.
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <fusednmf/io/bigwig_reader.hpp>
#include <fusednmf/io/bigwig_validate.hpp>
#include <fusednmf/io/binned_reader.hpp>
#include <fusednmf/preprocess.hpp>

namespace fs = std::filesystem;
using namespace fusednmf;

namespace {

struct Input {
  std::vector<fs::path> files;
  std::string chrom;
  std::int64_t start = 0, end = -1;
};
Input input;

// Every compressed data block the region's reads touch, loaded once.
struct Blocks {
  std::vector<std::vector<std::uint8_t>> packed;
  std::size_t capacity = 0;
  std::uint64_t inflated_bytes = 0;
};
const Blocks& region_blocks() {
  static const Blocks blocks = [] {
    Blocks b;
    for (const auto& path : input.files) {
      const io::BigWigFile f(path);
      const io::RawFile raw(path.string());
      const auto id = f.chrom_id(input.chrom);
      if (!id) throw std::runtime_error(path.string() + ": no " + input.chrom);
      const std::int64_t end = input.end < 0 ? std::int64_t(*f.chrom_length(input.chrom)) : input.end;
      b.capacity = std::max<std::size_t>(b.capacity, f.uncompressed_block_size());
      for (const auto& block : io::overlapping_blocks(raw, f.index_offset(), *id, *f.chrom_length(input.chrom),
                                                      std::uint32_t(input.start), std::uint32_t(end))) {
        b.packed.emplace_back(block.size);
        raw.read(block.offset, b.packed.back().data(), block.size);
      }
    }
    std::vector<std::uint8_t> out(b.capacity);
    io::ZlibInflater zlib;
    for (const auto& p : b.packed) b.inflated_bytes += std::uint64_t(zlib.inflate(p.data(), p.size(), out.data(), out.size()));
    return b;
  }();
  return blocks;
}

template <class Inflater>
void BM_Inflate(benchmark::State& state) {
  const Blocks& blocks = region_blocks();
  std::vector<std::uint8_t> out(blocks.capacity);
  Inflater inflater;
  for (auto _ : state)
    for (const auto& p : blocks.packed)
      if (inflater.inflate(p.data(), p.size(), out.data(), out.size()) < 0) state.SkipWithError("corrupt block");
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(blocks.inflated_bytes));
  state.SetLabel(std::string(Inflater::name) + ", " + std::to_string(blocks.packed.size()) + " blocks, 1 thread");
}
BENCHMARK_TEMPLATE(BM_Inflate, io::ZlibInflater)->Unit(benchmark::kMillisecond)->UseRealTime();
#ifdef FUSEDNMF_WITH_LIBDEFLATE
BENCHMARK_TEMPLATE(BM_Inflate, io::LibdeflateInflater)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif
#ifdef FUSEDNMF_WITH_ISAL
BENCHMARK_TEMPLATE(BM_Inflate, io::IsalInflater)->Unit(benchmark::kMillisecond)->UseRealTime();
#endif

void BM_ReadBinned(benchmark::State& state) {
  io::BinnedReadOptions options;
  options.bin = 200;
  options.threads = int(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(io::read_binned(input.files, input.chrom, input.start, input.end, options));
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(region_blocks().inflated_bytes));
  state.SetLabel(std::string(io::Inflater::name) + ", " + std::to_string(input.files.size()) + " files");
}
BENCHMARK(BM_ReadBinned)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The layout check every file gets before libBigWig opens it (bigwig_validate.hpp): its cost
// beside BM_ReadBinned's, on the same files.
void BM_ValidateLayout(benchmark::State& state) {
  for (auto _ : state)
    for (const auto& path : input.files) io::validate_bigwig_layout(io::RawFile(path.string()));
  state.SetLabel(std::to_string(input.files.size()) + " files");
}
BENCHMARK(BM_ValidateLayout)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadRegionThenBin(benchmark::State& state) {  // the path read_binned replaced
  for (auto _ : state)
    benchmark::DoNotOptimize(
        average_into_bins(io::read_region(input.files, input.chrom, input.start, input.end, int(state.range(0))), 200));
}
BENCHMARK(BM_ReadRegionThenBin)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 5) {
    std::cerr << "usage: bench_read DIR CHROM START END [benchmark flags]\n";
    return 2;
  }
  for (const auto& e : fs::directory_iterator(argv[1]))
    if (e.path().extension() == ".bw") input.files.push_back(e.path());
  std::sort(input.files.begin(), input.files.end());
  input.chrom = argv[2];
  input.start = std::stoll(argv[3]);
  input.end = std::stoll(argv[4]);
  if (input.files.empty()) {
    std::cerr << "bench_read: no .bw files in " << argv[1] << "\n";
    return 2;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
