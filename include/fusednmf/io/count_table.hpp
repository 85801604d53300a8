#pragma once
// Count tables: genes x samples as delimited text, the form expression data usually comes in.
//
//   gene<TAB>sample_1<TAB>sample_2 ...      header: a label, then one name per sample
//   TP53<TAB>12<TAB>0 ...                   one row per gene: its name, then its counts
//
// Tab-separated, or comma-separated when the header has no tab. Blank lines and lines starting
// with '#' are skipped; a trailing '\r' (Windows line ends) is ignored. Values are non-negative
// finite numbers (whole numbers are not required: normalised counts work too) up to
// kMaxCount; names are unique and hold no NUL byte. A missing value (an empty cell, NA, N/A or
// NaN, in any case) is read as NaN when the caller allows it (for a masked fit), else it is an
// error. Anything else is an error naming the file, the line and the sample.
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <Eigen/Core>

#include "atomic_file.hpp"

namespace fusednmf::io {

/// The largest count a table may hold: 2^53, above which doubles no longer hold whole numbers.
/// No sequencing count comes near it, and larger values (a cell of 1e308 in issue 18's fuzz run)
/// overflow the Poisson log-likelihood and the factors.
inline constexpr double kMaxCount = 9007199254740992.0;

struct CountTable {
  std::vector<std::string> genes;    ///< row names
  std::vector<std::string> samples;  ///< column names
  Eigen::MatrixXd counts;            ///< genes x samples
};

}  // namespace fusednmf::io

namespace fusednmf::detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

inline std::vector<std::string_view> split_fields(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  for (;;) {
    const auto at = line.find(delimiter);
    fields.push_back(trim(line.substr(0, at)));
    if (at == std::string_view::npos) return fields;
    line.remove_prefix(at + 1);
  }
}

}  // namespace fusednmf::detail

namespace fusednmf::io {

/// Whether a cell holds a missing value: empty, NA, N/A or NaN (any case).
inline bool is_missing_cell(std::string_view cell) {
  // Compared in place, letter by letter: this runs on every cell of tables with millions.
  auto is = [&](std::string_view word) {
    if (cell.size() != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(cell[i])) != word[i]) return false;
    return true;
  };
  return cell.empty() || is("na") || is("n/a") || is("nan");
}

/// Reads a count table; throws std::runtime_error naming the file and line on any problem.
/// Missing values read as NaN with `missing_as_nan`, and are an error without it.
inline CountTable read_count_table(const std::filesystem::path& path, bool missing_as_nan = false) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open count table " + path.string());
  const std::string where = path.string() + " line ";
  CountTable table;
  std::vector<double> values;
  char delimiter = '\t';
  std::string line;
  long line_number = 0;
  bool have_header = false;
  std::unordered_map<std::string, long> gene_lines;  // name -> first line
  while (std::getline(in, line)) {
    ++line_number;
    const std::string_view text = detail::trim(line);
    if (text.empty() || text.front() == '#') continue;
    if (!have_header) {
      delimiter = line.find('\t') != std::string::npos ? '\t' : ',';
      auto fields = detail::split_fields(line, delimiter);
      if (fields.size() < 2)
        throw std::runtime_error(where + std::to_string(line_number) +
                                 ": the header needs a label and at least one sample name (tab- or comma-separated)");
      for (std::size_t j = 1; j < fields.size(); ++j) {
        if (fields[j].find('\0') != std::string_view::npos)
          throw std::runtime_error(where + std::to_string(line_number) + ": sample name " + std::to_string(j) +
                                   " holds a NUL byte");
        for (std::size_t i = 1; i < j; ++i)
          if (fields[i] == fields[j])
            throw std::runtime_error(where + std::to_string(line_number) + ": sample '" + std::string(fields[j]) +
                                     "' is named twice (columns " + std::to_string(i) + " and " + std::to_string(j) + ")");
        table.samples.emplace_back(fields[j]);
      }
      have_header = true;
      continue;
    }
    auto fields = detail::split_fields(line, delimiter);
    if (fields.size() != table.samples.size() + 1)
      throw std::runtime_error(where + std::to_string(line_number) + ": expected " +
                               std::to_string(table.samples.size() + 1) + " fields (a gene name and " +
                               std::to_string(table.samples.size()) + " values), found " +
                               std::to_string(fields.size()));
    if (fields[0].empty()) throw std::runtime_error(where + std::to_string(line_number) + ": the gene name is empty");
    if (fields[0].find('\0') != std::string_view::npos)
      throw std::runtime_error(where + std::to_string(line_number) + ": the gene name holds a NUL byte");
    const auto [seen, fresh] = gene_lines.emplace(std::string(fields[0]), line_number);
    if (!fresh)
      throw std::runtime_error(where + std::to_string(line_number) + ": gene '" + std::string(fields[0]) +
                               "' is also on line " + std::to_string(seen->second) +
                               " (its module assignment would be ambiguous; merge or rename the rows)");
    table.genes.emplace_back(fields[0]);
    for (std::size_t j = 1; j < fields.size(); ++j) {
      std::string_view field = fields[j];
      const std::string context = where + std::to_string(line_number) + ", sample '" + table.samples[j - 1] + "': '" +
                                  std::string(fields[j]) + "'";
      if (is_missing_cell(field)) {
        if (!missing_as_nan) throw std::runtime_error(context + " is a missing value (empty, NA or NaN), not allowed here");
        values.push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      if (!field.empty() && field.front() == '+') field.remove_prefix(1);
      double v = 0.0;
      const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
      if (field.empty() || ec != std::errc() || end != field.data() + field.size())
        throw std::runtime_error(context + " is not a number");
      if (!std::isfinite(v)) throw std::runtime_error(context + " is not finite");
      if (v < 0.0) throw std::runtime_error(context + " is negative (counts must be >= 0)");
      if (v > kMaxCount) throw std::runtime_error(context + " is above 2^53, larger than any count");
      values.push_back(v);
    }
  }
  if (in.bad()) throw std::runtime_error("reading " + path.string() + " failed");
  if (!have_header) throw std::runtime_error(path.string() + " is empty (no header line)");
  if (table.genes.empty()) throw std::runtime_error(path.string() + " has a header but no gene rows");
  const auto rows = Eigen::Index(table.genes.size()), cols = Eigen::Index(table.samples.size());
  table.counts = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), rows, cols);
  return table;
}

/// Writes a tab-separated count table atomically (values printed exactly: whole numbers as integers).
inline void write_count_table(const std::filesystem::path& path, const CountTable& table,
                              const std::string& label = "gene") {
  if (Eigen::Index(table.genes.size()) != table.counts.rows() ||
      Eigen::Index(table.samples.size()) != table.counts.cols())
    throw std::invalid_argument("write_count_table: names do not match the " + std::to_string(table.counts.rows()) +
                                " x " + std::to_string(table.counts.cols()) + " counts");
  AtomicFile file(path);
  auto& out = file.stream();
  out << label;
  for (const auto& s : table.samples) out << '\t' << s;
  out << '\n';
  char buffer[32];
  for (Eigen::Index i = 0; i < table.counts.rows(); ++i) {
    out << table.genes[std::size_t(i)];
    for (Eigen::Index j = 0; j < table.counts.cols(); ++j) {
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, table.counts(i, j));
      (void)ec;
      out << '\t' << std::string_view(buffer, std::size_t(end - buffer));
    }
    out << '\n';
  }
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

}  // namespace fusednmf::io
