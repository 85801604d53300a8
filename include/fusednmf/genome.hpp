#pragma once
// Several chromosomes in one factorization: their segments laid end to end in one
// SegmentedMatrix, with the offsets that say where each chromosome begins. NMF::fit(Y,
// chain_starts()) then shares H across all of them while the fused lasso smooths each
// chromosome on its own. Memory is what the segments need, never bases x tracks.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "segmented_matrix.hpp"

namespace fusednmf {

template <class Scalar>
struct GenomeSegments {
  std::vector<std::string> names;      ///< chromosomes, in order
  std::vector<std::int64_t> starts;    ///< first base of each chromosome's region
  std::vector<Eigen::Index> offsets{0};  ///< first segment of each chromosome; one more entry than names
  SegmentedMatrix<Scalar> Y;           ///< all segments, chromosome after chromosome

  std::size_t chromosomes() const { return names.size(); }
  Eigen::Index first_segment(std::size_t c) const { return offsets[c]; }
  Eigen::Index segment_count(std::size_t c) const { return offsets[c + 1] - offsets[c]; }

  /// Appends one chromosome's segments (same tracks as the others).
  void append(const std::string& name, std::int64_t start, const SegmentedMatrix<Scalar>& part) {
    check_part(name, part, names.empty() ? part.cols() : Y.cols());
    const Eigen::Index before = Y.segments();
    Y.values.conservativeResize(before + part.segments(), part.cols());
    Y.values.bottomRows(part.segments()) = part.values;
    Y.lengths.conservativeResize(before + part.segments());
    Y.lengths.tail(part.segments()) = part.lengths;
    names.push_back(name);
    starts.push_back(start);
    offsets.push_back(Y.segments());
  }

  /// Chromosomes' segments laid end to end in one allocation (append() grows the matrix each
  /// time); each part is freed once copied, so the peak is about one copy of the whole.
  static GenomeSegments concatenate(const std::vector<std::string>& names, const std::vector<std::int64_t>& starts,
                                    std::vector<SegmentedMatrix<Scalar>>&& parts) {
    if (names.size() != parts.size() || starts.size() != parts.size())
      throw std::invalid_argument("GenomeSegments::concatenate: " + std::to_string(names.size()) + " names, " +
                                  std::to_string(starts.size()) + " starts and " + std::to_string(parts.size()) +
                                  " parts");
    GenomeSegments out;
    Eigen::Index total = 0;
    for (std::size_t c = 0; c < parts.size(); ++c) {
      check_part(names[c], parts[c], parts.front().cols());
      total += parts[c].segments();
    }
    out.Y.values.resize(total, parts.empty() ? 0 : parts.front().cols());
    out.Y.lengths.resize(total);
    for (std::size_t c = 0; c < parts.size(); ++c) {
      const Eigen::Index at = out.offsets.back(), count = parts[c].segments();
      out.Y.values.middleRows(at, count) = parts[c].values;
      out.Y.lengths.segment(at, count) = parts[c].lengths;
      parts[c] = {};
      out.names.push_back(names[c]);
      out.starts.push_back(starts[c]);
      out.offsets.push_back(at + count);
    }
    return out;
  }

  /// A chromosome's segments are valid, not empty, and have the other chromosomes' `tracks`.
  static void check_part(const std::string& name, const SegmentedMatrix<Scalar>& part, Eigen::Index tracks) {
    part.validate();
    if (part.segments() == 0) throw std::invalid_argument("GenomeSegments: " + name + " has no segments");
    if (part.cols() != tracks)
      throw std::invalid_argument("GenomeSegments: " + name + " has " + std::to_string(part.cols()) +
                                  " tracks, the others " + std::to_string(tracks));
  }

  /// Where the fused-lasso chain is cut: the first segment of every chromosome but the first.
  /// Empty for an empty genome or a single chromosome.
  std::vector<Eigen::Index> chain_starts() const {
    if (offsets.size() < 3) return {};
    return std::vector<Eigen::Index>(offsets.begin() + 1, offsets.end() - 1);
  }
};

}  // namespace fusednmf
