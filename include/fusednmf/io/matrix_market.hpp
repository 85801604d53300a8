#pragma once
// Sparse count matrices in Matrix Market form, the way single-cell and other sparse counts are
// shared (10x Genomics' "filtered_feature_bc_matrix" folders among them):
//
//   %%MatrixMarket matrix coordinate integer general     the banner: a coordinate matrix
//   % comments                                           any number, before the size line
//   33538 5000 1234567                                   rows, columns, stored entries
//   17 1 3                                               row, column (1-based), value
//
// The field may be integer, real or pattern (every stored entry counts 1); the symmetry must
// be general (counts are not symmetric). Values are non-negative finite numbers up to kMaxCount,
// each (row, column) is stored at most once, and there are exactly as many entries as the size
// line says. Anything else is an error naming the file and the line. Files may be gzip-compressed
// (.gz): they are read through zlib, which reads plain files as they are (link zlib:
// ZLIB::ZLIB in CMake).
//
// A 10x folder holds matrix.mtx (features x barcodes), features.tsv (or genes.tsv, from
// Cell Ranger 2) and barcodes.tsv, each possibly .gz; read_10x_folder reads the three.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <zlib.h>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "count_table.hpp"

namespace fusednmf::detail {

/// Lines of a text file, plain or gzip-compressed, with the line number of the last one read.
class GzipLines {
 public:
  explicit GzipLines(const std::filesystem::path& path) : path_(path), file_(gzopen(path.c_str(), "rb"), &gzclose) {
    if (!file_) throw std::runtime_error("cannot open " + path.string());
    gzbuffer(file_.get(), 1 << 17);
  }

  /// The next line without its '\n' (and '\r'); false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    char buffer[4096];
    for (;;) {
      if (!gzgets(file_.get(), buffer, sizeof buffer)) {
        int code = Z_OK;
        const char* message = gzerror(file_.get(), &code);
        if (code != Z_OK && code != Z_STREAM_END)
          throw std::runtime_error(path_.string() + " line " + std::to_string(number_ + 1) + ": cannot read (" +
                                   message + ")");
        if (line.empty()) return false;
        break;
      }
      line += buffer;
      if (!line.empty() && line.back() == '\n') break;
    }
    ++number_;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.find('\0') != std::string::npos)
      throw std::runtime_error(path_.string() + " line " + std::to_string(number_) + ": holds a NUL byte");
    return true;
  }

  long number() const { return number_; }
  /// "FILE line N: " for messages.
  std::string where() const { return path_.string() + " line " + std::to_string(number_) + ": "; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file_;
  long number_ = 0;
};

/// Whitespace-separated fields of a line.
inline std::vector<std::string_view> split_whitespace(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

/// A whole number in [1, limit] (for `what`), or an error naming the line.
inline std::int64_t parse_index(std::string_view field, std::int64_t limit, const char* what, const GzipLines& lines) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc() || end != field.data() + field.size())
    throw std::runtime_error(lines.where() + what + " '" + std::string(field) + "' is not a whole number");
  if (value < 1 || value > limit)
    throw std::runtime_error(lines.where() + what + " " + std::to_string(value) + " is outside 1.." +
                             std::to_string(limit));
  return value;
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// The most rows or columns a Matrix Market file may declare: 2^27, far above any genome's genes
/// or any experiment's cells. A sparse matrix keeps an index per column (and, transposed for the
/// fit, per row), so a short file declaring 2^31 columns would otherwise claim gigabytes.
inline constexpr std::int64_t kMaxMatrixMarketDimension = std::int64_t(1) << 27;

/// Reads a Matrix Market coordinate file (see the top of this header) as a column-major sparse
/// matrix. Throws std::runtime_error naming the file and line on any problem.
inline Eigen::SparseMatrix<double> read_matrix_market(const std::filesystem::path& path) {
  detail::GzipLines lines(path);
  std::string line;
  if (!lines.next(line)) throw std::runtime_error(path.string() + " is empty (no %%MatrixMarket banner)");
  std::string banner;
  for (char c : line) banner += char(std::tolower(static_cast<unsigned char>(c)));
  const auto words = detail::split_whitespace(banner);
  if (words.empty() || words[0] != "%%matrixmarket")
    throw std::runtime_error(lines.where() + "not a Matrix Market file (the first line must start with %%MatrixMarket)");
  if (words.size() != 5 || words[1] != "matrix")
    throw std::runtime_error(lines.where() + "expected '%%MatrixMarket matrix coordinate FIELD general'");
  if (words[2] != "coordinate")
    throw std::runtime_error(lines.where() + "'" + std::string(words[2]) +
                             "' format: only sparse 'coordinate' matrices are read (use a count table for dense ones)");
  const bool pattern = words[3] == "pattern";
  if (!pattern && words[3] != "integer" && words[3] != "real")
    throw std::runtime_error(lines.where() + "field '" + std::string(words[3]) +
                             "': counts need an integer, real or pattern matrix");
  if (words[4] != "general")
    throw std::runtime_error(lines.where() + "symmetry '" + std::string(words[4]) +
                             "': a count matrix is 'general' (every entry stored)");

  bool have_size = false;
  while (lines.next(line)) {
    const std::string_view text = detail::trim(line);
    if (text.empty() || text.front() == '%') continue;
    have_size = true;
    break;
  }
  if (!have_size) throw std::runtime_error(path.string() + " has no size line (rows columns entries)");
  const auto size = detail::split_whitespace(line);
  if (size.size() != 3)
    throw std::runtime_error(lines.where() + "the size line needs 3 numbers (rows columns entries), found " +
                             std::to_string(size.size()));
  const std::int64_t rows = detail::parse_index(size[0], kMaxMatrixMarketDimension, "rows", lines);
  const std::int64_t cols = detail::parse_index(size[1], kMaxMatrixMarketDimension, "columns", lines);
  std::int64_t entries = 0;
  {
    const auto [end, ec] = std::from_chars(size[2].data(), size[2].data() + size[2].size(), entries);
    if (ec != std::errc() || end != size[2].data() + size[2].size() || entries < 0 || entries > rows * cols)
      throw std::runtime_error(lines.where() + "entries '" + std::string(size[2]) + "' must be a whole number in 0.." +
                               std::to_string(rows * cols));
  }
  using Triplet = Eigen::Triplet<double, int>;
  std::vector<Triplet> triplets;
  triplets.reserve(std::size_t(std::min<std::int64_t>(entries, std::int64_t(1) << 26)));
  std::vector<long> line_of;  // for naming a repeated entry
  line_of.reserve(triplets.capacity());
  const std::size_t fields_per_entry = pattern ? 2 : 3;
  while (lines.next(line)) {
    const std::string_view text = detail::trim(line);
    if (text.empty() || text.front() == '%') continue;
    if (std::int64_t(triplets.size()) == entries)
      throw std::runtime_error(lines.where() + "more entries than the " + std::to_string(entries) +
                               " the size line gives");
    const auto fields = detail::split_whitespace(text);
    if (fields.size() != fields_per_entry)
      throw std::runtime_error(lines.where() + "expected " + std::to_string(fields_per_entry) +
                               (pattern ? " fields (row column)" : " fields (row column value)") + ", found " +
                               std::to_string(fields.size()));
    const std::int64_t r = detail::parse_index(fields[0], rows, "row", lines);
    const std::int64_t c = detail::parse_index(fields[1], cols, "column", lines);
    double v = 1.0;
    if (!pattern) {
      std::string_view field = fields[2];
      if (!field.empty() && field.front() == '+') field.remove_prefix(1);
      const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
      const std::string context = lines.where() + "value '" + std::string(fields[2]) + "'";
      if (field.empty() || ec != std::errc() || end != field.data() + field.size())
        throw std::runtime_error(context + " is not a number");
      if (!std::isfinite(v)) throw std::runtime_error(context + " is not finite");
      if (v < 0) throw std::runtime_error(context + " is negative (counts must be >= 0)");
      if (v > kMaxCount) throw std::runtime_error(context + " is above 2^53, larger than any count");
    }
    triplets.emplace_back(int(r - 1), int(c - 1), v);
    line_of.push_back(lines.number());
  }
  if (std::int64_t(triplets.size()) < entries)
    throw std::runtime_error(path.string() + " ends after " + std::to_string(triplets.size()) + " of the " +
                             std::to_string(entries) + " entries its size line gives (truncated?)");
  Eigen::SparseMatrix<double> matrix{static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols)};
  matrix.setFromTriplets(triplets.begin(), triplets.end());  // sums repeated entries: checked next
  if (std::int64_t(matrix.nonZeros()) != entries) {
    std::vector<std::size_t> order(triplets.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = triplets[a];
      const auto& y = triplets[b];
      return x.col() != y.col() ? x.col() < y.col() : x.row() != y.row() ? x.row() < y.row() : a < b;
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
      const auto& x = triplets[order[i - 1]];
      const auto& y = triplets[order[i]];
      if (x.row() == y.row() && x.col() == y.col())
        throw std::runtime_error(path.string() + " line " + std::to_string(line_of[order[i]]) + ": entry (" +
                                 std::to_string(y.row() + 1) + ", " + std::to_string(y.col() + 1) +
                                 ") is also on line " + std::to_string(line_of[order[i - 1]]));
    }
  }
  matrix.makeCompressed();
  return matrix;
}

/// A sparse count table: genes x samples (features x barcodes in a 10x folder).
struct SparseCountTable {
  std::vector<std::string> genes;    ///< row names
  std::vector<std::string> samples;  ///< column names
  Eigen::SparseMatrix<double> counts;
};

}  // namespace fusednmf::io

namespace fusednmf::detail {

/// `folder`/NAME or `folder`/NAME.gz, whichever exists (empty when neither does).
inline std::filesystem::path plain_or_gzip(const std::filesystem::path& folder, const std::string& name) {
  for (const std::string& candidate : {name, name + ".gz"})
    if (std::filesystem::exists(folder / candidate)) return folder / candidate;
  return {};
}

/// The names in a features/genes/barcodes list: one line each, in the matrix's order. Column
/// `preferred` (0-based, tab-separated) when every line has it and its names are unique, else
/// the first column (10x feature ids are unique; their gene symbols need not be).
inline std::vector<std::string> read_name_list(const std::filesystem::path& path, std::size_t preferred) {
  GzipLines lines(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (lines.next(line)) {
    if (trim(line).empty()) throw std::runtime_error(lines.where() + "empty line (one name per line expected)");
    std::vector<std::string> fields;
    for (std::string_view f : split_fields(line, '\t')) fields.emplace_back(f);
    if (fields[0].empty()) throw std::runtime_error(lines.where() + "the name is empty");
    rows.push_back(std::move(fields));
  }
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  bool use_preferred = preferred > 0;
  for (const auto& r : rows)
    if (r.size() <= preferred || r[preferred].empty() || !seen.insert(r[preferred]).second) use_preferred = false;
  for (const auto& r : rows) names.push_back(use_preferred ? r[preferred] : r[0]);
  return names;
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Reads a 10x-style folder: matrix.mtx, features.tsv (or genes.tsv) and barcodes.tsv, each
/// plain or .gz. Genes are named by their symbol (second column) when the symbols are unique,
/// else by their id. Throws std::runtime_error naming the file on any problem, including lists
/// whose length differs from the matrix's.
inline SparseCountTable read_10x_folder(const std::filesystem::path& folder) {
  if (!std::filesystem::is_directory(folder)) throw std::runtime_error(folder.string() + " is not a folder");
  const auto matrix = detail::plain_or_gzip(folder, "matrix.mtx");
  auto features = detail::plain_or_gzip(folder, "features.tsv");
  if (features.empty()) features = detail::plain_or_gzip(folder, "genes.tsv");
  const auto barcodes = detail::plain_or_gzip(folder, "barcodes.tsv");
  if (matrix.empty()) throw std::runtime_error(folder.string() + ": no matrix.mtx or matrix.mtx.gz");
  if (features.empty()) throw std::runtime_error(folder.string() + ": no features.tsv or genes.tsv (plain or .gz)");
  if (barcodes.empty()) throw std::runtime_error(folder.string() + ": no barcodes.tsv or barcodes.tsv.gz");
  SparseCountTable table;
  table.counts = read_matrix_market(matrix);
  table.genes = detail::read_name_list(features, 1);
  table.samples = detail::read_name_list(barcodes, 0);
  auto check = [&](const std::filesystem::path& list, std::size_t names, Eigen::Index expected, const char* what) {
    if (Eigen::Index(names) != expected)
      throw std::runtime_error(list.string() + " lists " + std::to_string(names) + " " + what + " but " +
                               matrix.string() + " has " + std::to_string(expected));
  };
  check(features, table.genes.size(), table.counts.rows(), "features");
  check(barcodes, table.samples.size(), table.counts.cols(), "barcodes");
  return table;
}

}  // namespace fusednmf::io
