#pragma once
// BED intervals (chrom, start, end; 0-based, end exclusive), e.g. blacklisted or unmappable
// regions to leave out of a fit. Needs no libBigWig.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace fusednmf::io {

/// Intervals per chromosome, sorted and with overlaps merged.
using BedIntervals = std::map<std::string, std::vector<std::pair<std::int64_t, std::int64_t>>>;

/// Reads a BED file: the first three columns of each line; blank lines and lines starting with
/// '#', "track" or "browser" are skipped. Throws std::runtime_error naming the file and line.
inline BedIntervals read_bed(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open BED file " + path.string());
  BedIntervals out;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || line.rfind("track", 0) == 0 || line.rfind("browser", 0) == 0) continue;
    std::istringstream fields(line);
    std::string chrom, start_text, end_text;
    fields >> chrom >> start_text >> end_text;
    auto number_of = [&](const std::string& text, const char* what) {
      std::size_t used = 0;
      long long v = -1;
      try {
        v = std::stoll(text, &used);
      } catch (const std::exception&) {
      }
      if (text.empty() || used != text.size() || v < 0)
        throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": " + what + " '" + text +
                                 "' is not a whole number >= 0");
      return std::int64_t(v);
    };
    if (chrom.empty()) throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": no chromosome");
    const std::int64_t start = number_of(start_text, "start"), end = number_of(end_text, "end");
    if (end <= start)
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": end " + std::to_string(end) +
                               " is not after start " + std::to_string(start));
    out[chrom].emplace_back(start, end);
  }
  if (in.bad()) throw std::runtime_error("reading BED file " + path.string() + " failed");
  for (auto& [chrom, intervals] : out) {
    std::sort(intervals.begin(), intervals.end());
    std::vector<std::pair<std::int64_t, std::int64_t>> merged;
    for (const auto& iv : intervals)
      if (!merged.empty() && iv.first <= merged.back().second) merged.back().second = std::max(merged.back().second, iv.second);
      else merged.push_back(iv);
    intervals = std::move(merged);
  }
  return out;
}

}  // namespace fusednmf::io
