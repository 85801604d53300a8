#pragma once
// Which process fits which chromosomes: balanced by segment count (the work of an iteration is
// proportional to the segments a process holds). Longest-processing-time-first: chromosomes in
// decreasing segment count, each to the least loaded process (ties to the lowest rank), which
// is within 4/3 of the best balance. Every process computes the same answer from the same counts.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace fusednmf {

/// owner[c] in [0, parts) for each chromosome c. Throws when a part would get no chromosome.
inline std::vector<int> balance_by_segments(const std::vector<std::int64_t>& segment_counts, int parts) {
  if (parts < 1) throw std::invalid_argument("balance_by_segments: parts must be >= 1, got " + std::to_string(parts));
  if (std::size_t(parts) > segment_counts.size())
    throw std::invalid_argument(std::to_string(parts) + " processes for " + std::to_string(segment_counts.size()) +
                                " chromosomes: a process would have no work; use at most " +
                                std::to_string(segment_counts.size()));
  std::vector<std::size_t> order(segment_counts.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return segment_counts[a] > segment_counts[b]; });
  std::vector<std::int64_t> load(std::size_t(parts), 0);
  std::vector<int> owner(segment_counts.size(), -1);
  std::size_t next = 0;
  for (std::size_t c : order) {
    // The first `parts` chromosomes go one to each process, so none is left idle.
    const auto p = next < std::size_t(parts) ? next++
                                              : std::size_t(std::min_element(load.begin(), load.end()) - load.begin());
    owner[c] = int(p);
    load[p] += segment_counts[c];
  }
  return owner;
}

}  // namespace fusednmf
