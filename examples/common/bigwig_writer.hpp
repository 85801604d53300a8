#pragma once
// Writing a bigWig file with libBigWig, atomically: intervals go to a temporary file that is
// renamed over the target only when complete.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <bigWig.h>

#include <fusednmf/io/bigwig_reader.hpp>

namespace fusednmf::examples {

struct Chromosome {
  std::string name;
  std::uint32_t length;
};

/// Runs of constant value on one chromosome: [start[i], end[i]) has value[i].
struct Runs {
  std::vector<std::uint32_t> start, end;
  std::vector<float> value;
  void add(std::uint32_t a, std::uint32_t b, float v) {  // merges with the previous run when equal
    if (!start.empty() && end.back() == a && value.back() == v) {
      end.back() = b;
      return;
    }
    start.push_back(a), end.push_back(b), value.push_back(v);
  }
};

/// Writes a bigWig whose header lists `chroms` (in order) and whose data is runs[i] on chroms[i]
/// (an empty Runs leaves that chromosome without data).
inline void write_bigwig(const std::filesystem::path& path, const std::vector<Chromosome>& chroms,
                         const std::vector<Runs>& runs) {
  io::ensure_bigwig_initialised();
  const std::filesystem::path temp = path.string() + ".tmp";
  bigWigFile_t* fp = bwOpen(temp.c_str(), nullptr, "w");
  if (!fp) throw std::runtime_error("cannot create " + temp.string());
  auto fail = [&](const std::string& what) {
    bwClose(fp);
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    throw std::runtime_error(path.string() + ": " + what);
  };
  if (bwCreateHdr(fp, 10)) fail("cannot create the header");
  std::vector<const char*> names;
  std::vector<std::uint32_t> lengths;
  for (const auto& c : chroms) names.push_back(c.name.c_str()), lengths.push_back(c.length);
  fp->cl = bwCreateChromList(names.data(), lengths.data(), static_cast<int64_t>(chroms.size()));
  if (!fp->cl || bwWriteHdr(fp)) fail("cannot write the header");
  for (std::size_t c = 0; c < chroms.size() && c < runs.size(); ++c) {
    const Runs& r = runs[c];
    if (r.start.empty()) continue;
    std::vector<const char*> chrom_of(1, names[c]);
    // libBigWig wants the first interval of a chromosome added with its name, the rest appended.
    if (bwAddIntervals(fp, chrom_of.data(), &r.start[0], &r.end[0], &r.value[0], 1)) fail("cannot add intervals");
    if (r.start.size() > 1 &&
        bwAppendIntervals(fp, &r.start[1], &r.end[1], &r.value[1], static_cast<std::uint32_t>(r.start.size() - 1)))
      fail("cannot append intervals");
  }
  bwClose(fp);  // writes the index and zoom levels
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) throw std::runtime_error("cannot rename into " + path.string() + ": " + ec.message());
}

}  // namespace fusednmf::examples
