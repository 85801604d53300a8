#pragma once
// Pearson correlation of segmented factors with a track over the same region: the grader's
// measure (../shared/peers/evaluate.py), computed without expanding W.
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include <fusednmf/reducer.hpp>
#include <fusednmf/segmented_matrix.hpp>

namespace fusednmf::examples {

/// r of each column of W (segments x k, run lengths `lengths`) with the track (segmented too).
template <class Scalar>
std::vector<double> column_correlations(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& W,
                                        const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& lengths,
                                        const SegmentedMatrix<float>& track, const Reducer& reduce = {}) {
  // Sums n, x, y, xx, yy, xy per column: summed over processes when the rows are split.
  std::vector<double> sums(6 * static_cast<std::size_t>(W.cols()), 0.0);
  for (Eigen::Index j = 0; j < W.cols(); ++j) {
    double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    Eigen::Index s = 0, t = 0;
    double left_s = lengths.size() ? double(lengths[0]) : 0, left_t = track.lengths.size() ? double(track.lengths[0]) : 0;
    while (s < W.rows() && t < track.segments()) {  // walk both segmentations together
      const double len = std::min(left_s, left_t), x = double(W(s, j)), y = double(track.values(t, 0));
      n += len, sx += len * x, sy += len * y, sxx += len * x * x, syy += len * y * y, sxy += len * x * y;
      left_s -= len, left_t -= len;
      if (left_s == 0 && ++s < W.rows()) left_s = double(lengths[s]);
      if (left_t == 0 && ++t < track.segments()) left_t = double(track.lengths[t]);
    }
    double* out = &sums[6 * static_cast<std::size_t>(j)];
    out[0] = n, out[1] = sx, out[2] = sy, out[3] = sxx, out[4] = syy, out[5] = sxy;
  }
  detail::reduce_sum(reduce, sums.data(), sums.size());
  std::vector<double> r(static_cast<std::size_t>(W.cols()), 0.0);
  for (std::size_t j = 0; j < r.size(); ++j) {
    const double* t = &sums[6 * j];
    const double n = t[0], cov = t[5] - t[1] * t[2] / n, vx = t[3] - t[1] * t[1] / n, vy = t[4] - t[2] * t[2] / n;
    r[j] = (vx > 0 && vy > 0) ? cov / std::sqrt(vx * vy) : 0.0;
  }
  return r;
}

}  // namespace fusednmf::examples
