#pragma once
// assign2's outputs besides W's values: where each file goes (W per chromosome, bin edges), H as
// TSV with a name per column (track x window), the λ curve, and the top tracks of a factor.
#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <fusednmf/io/atomic_file.hpp>
#include <fusednmf/lambda_cv.hpp>

namespace assign2 {

namespace fs = std::filesystem;
using namespace fusednmf;

inline void write_lambda_curve(const fs::path& path, const LambdaCVCurve& curve) {
  io::AtomicFile file(path);
  auto& out = file.stream();
  out << "lambda\theld_out_error\tstandard_error\tchosen\n";
  out.precision(9);
  for (std::size_t l = 0; l < curve.lambdas.size(); ++l)
    out << curve.lambdas[l] << '\t' << curve.mean_error[l] << '\t' << curve.standard_error[l] << '\t'
        << (l == curve.chosen ? 1 : 0) << '\n';
  for (double lambda : curve.not_fitted) out << lambda << "\tnan\tnan\t0\n";  // left out once the error had risen
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

// With several chromosomes, OUT.npy names one file per chromosome: OUT.CHROM.npy.
inline fs::path output_for(const std::string& output, const std::string& chrom, bool several) {
  if (!several) return output;
  const fs::path out(output);
  return out.parent_path() / (out.stem().string() + "." + chrom + ".npy");
}

// --w-resolution bin: the segments' edges beside each W file, OUT.bins.npy (or OUT.CHROM.bins.npy).
inline fs::path edges_for(const fs::path& w_path) {
  return w_path.parent_path() / (w_path.stem().string() + ".bins.npy");
}

// The name of every column of Y (and of H): the file's name, and with several --smooth windows
// the window too ("H3K36me3.bw@5000"), window-major as smooth_at_scales lays them out.
inline std::vector<std::string> column_names(const std::vector<fs::path>& files, const std::vector<std::int64_t>& windows) {
  std::vector<std::string> out;
  for (std::int64_t w : windows)
    for (const auto& f : files)
      out.push_back(f.filename().string() + (windows.size() > 1 ? "@" + std::to_string(w) : std::string()));
  return out;
}

inline void write_h_tsv(const fs::path& path, const Eigen::MatrixXf& H, const std::vector<std::string>& columns) {
  io::AtomicFile file(path);
  auto& out = file.stream();
  out << "factor";
  for (const auto& c : columns) out << '\t' << c;
  out << '\n';
  out.precision(9);
  for (Eigen::Index r = 0; r < H.rows(); ++r) {
    out << "factor" << r + 1;
    for (Eigen::Index c = 0; c < H.cols(); ++c) out << '\t' << H(r, c);
    out << '\n';
  }
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

// "factor 2: H3K36me3.bw 0.41, H3K79me2.bw 0.22, ...": the tracks that make up each factor.
inline std::string top_tracks(const Eigen::MatrixXf& H, Eigen::Index r, const std::vector<std::string>& columns) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(H.cols()));
  for (Eigen::Index c = 0; c < H.cols(); ++c) order[std::size_t(c)] = c;
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return H(r, a) > H(r, b); });
  const double total = std::max(double(H.row(r).sum()), 1e-30);
  std::string out;
  char buf[32];
  for (std::size_t i = 0; i < order.size() && i < 3; ++i) {
    std::snprintf(buf, sizeof buf, " %.2f", double(H(r, order[i])) / total);
    out += (i ? ", " : "") + columns[std::size_t(order[i])] + buf;
  }
  return out;
}

}  // namespace assign2
