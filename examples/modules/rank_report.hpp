#pragma once
// What `modules rank` and `modules fit` report about the choice of rank: the criteria of every
// rank as a table (stdout and TSV), as an SVG of each criterion against the rank, and the
// consensus matrix of a rank as an SVG heat map, its samples in the order of their
// average-linkage tree so that stable modules show as blocks on the diagonal.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fusednmf/io/atomic_file.hpp>
#include <fusednmf/modules/rank_choice.hpp>

#include "../common/factor_plot.hpp"

namespace modules_cli {

namespace fs = std::filesystem;
using fusednmf::examples::format_value;
using fusednmf::examples::write_text_file;  // atomic, as every output
using fusednmf::examples::nice_ticks;
using fusednmf::examples::open_svg;
using fusednmf::examples::xml_escape;
using fusednmf::modules::RankChoice;
using fusednmf::modules::RankCriteria;

inline void print_rank_table(const RankChoice& choice) {
  std::printf("rank\tlog_likelihood\tBIC\tcv_deviance\tcv_se\tcophenetic\tdispersion\titerations\n");
  for (std::size_t i = 0; i < choice.table.size(); ++i) {
    const auto& row = choice.table[i];
    std::printf("%ld\t%.6e\t%.6e\t%.6f\t%.6f\t%.4f\t%.4f\t%d%s\n", long(row.rank), row.log_likelihood, row.bic,
                row.cv_deviance, row.cv_standard_error, row.cophenetic, row.dispersion, row.fit.iterations,
                i == choice.chosen ? "\t<- chosen" : "");
  }
  std::printf("rule (--rank-by %s): %s\n", fusednmf::modules::to_string(choice.rule), choice.rule_text().c_str());
}

/// The criteria of every rank as TSV, for plotting elsewhere.
inline void write_rank_table(const fs::path& path, const RankChoice& choice) {
  fusednmf::io::AtomicFile file(path);
  auto& out = file.stream();
  out << "rank\tlog_likelihood\tbic\tcv_deviance\tcv_standard_error\tcophenetic\tdispersion\tchosen\n";
  out.precision(10);
  for (std::size_t i = 0; i < choice.table.size(); ++i) {
    const auto& row = choice.table[i];
    out << row.rank << '\t' << row.log_likelihood << '\t' << row.bic << '\t' << row.cv_deviance << '\t'
        << row.cv_standard_error << '\t' << row.cophenetic << '\t' << row.dispersion << '\t'
        << (i == choice.chosen ? 1 : 0) << '\n';
  }
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

/// Each criterion against the rank, a panel each (log-likelihood, BIC, held-out deviance with
/// ± one standard error, cophenetic correlation and dispersion), the chosen rank marked.
inline std::string render_rank_plot(const RankChoice& choice) {
  struct Series {
    std::string name, color;
    std::function<double(const RankCriteria&)> value, spread;
  };
  struct Panel {
    std::string title;
    std::vector<Series> series;
  };
  auto none = [](const RankCriteria&) { return 0.0; };
  const std::vector<Panel> panels{
      {"log-likelihood (higher is better; keeps rising)", {{"log_likelihood", "#1f77b4", [](const RankCriteria& r) { return r.log_likelihood; }, none}}},
      {"BIC (lower is better)", {{"bic", "#9467bd", [](const RankCriteria& r) { return r.bic; }, none}}},
      {"held-out Poisson deviance per cell, ± 1 SE (lower is better)",
       {{"cv_deviance", "#d62728", [](const RankCriteria& r) { return r.cv_deviance; },
         [](const RankCriteria& r) { return r.cv_standard_error; }}}},
      {"consensus over restarts (1 = stable)",
       {{"cophenetic", "#2ca02c", [](const RankCriteria& r) { return r.cophenetic; }, none},
        {"dispersion", "#ff7f0e", [](const RankCriteria& r) { return r.dispersion; }, none}}},
  };
  const auto& t = choice.table;
  if (t.empty()) throw std::invalid_argument("rank plot: no ranks");
  const int panel_width = 380, panel_height = 240, left = 80, right = 20, top = 50, gap = 70;
  const int columns = 2, rows = int((panels.size() + 1) / 2);
  const int width = columns * (left + panel_width + right), height = top + rows * (panel_height + gap) + 10;
  const double r0 = double(t.front().rank), r1 = double(t.back().rank);

  std::ostringstream svg;
  svg.precision(7);
  open_svg(svg, width, height, 12);
  svg << "<text x=\"" << left << "\" y=\"24\" font-size=\"15\" font-weight=\"bold\">Choosing the rank: chosen "
      << t[choice.chosen].rank << " by " << xml_escape(choice.rule_text()) << "</text>\n";
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const Panel& panel = panels[p];
    const int x0 = int(p % columns) * (left + panel_width + right) + left;
    const int y0 = top + int(p / columns) * (panel_height + gap);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& s : panel.series)
      for (const auto& row : t) {
        const double v = s.value(row), e = s.spread(row);
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v - e), hi = std::max(hi, v + e);
      }
    svg << "<g class=\"panel\" data-title=\"" << xml_escape(panel.title) << "\">\n"
        << "<text x=\"" << x0 << "\" y=\"" << y0 - 8 << "\" font-weight=\"bold\">" << xml_escape(panel.title) << "</text>\n"
        << "<rect x=\"" << x0 << "\" y=\"" << y0 << "\" width=\"" << panel_width << "\" height=\"" << panel_height
        << "\" fill=\"none\" stroke=\"#999\"/>\n";
    if (!std::isfinite(lo)) {  // e.g. the consensus with one restart
      svg << "<text x=\"" << x0 + panel_width / 2 << "\" y=\"" << y0 + panel_height / 2
          << "\" text-anchor=\"middle\" fill=\"#666\">not available (needs 2 or more restarts, and not too many samples)</text>\n</g>\n";
      continue;
    }
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) lo -= 0.5, hi += 0.5;
    const double pad = 0.06 * (hi - lo);
    lo -= pad, hi += pad;
    auto x_at = [&](double rank) {  // 20 px in from each side; one rank in the middle
      return r1 > r0 ? x0 + 20 + (rank - r0) / (r1 - r0) * (panel_width - 40) : x0 + panel_width / 2.0;
    };
    auto y_of = [&](double v) { return y0 + panel_height - (v - lo) / (hi - lo) * panel_height; };
    for (double tick : nice_ticks(lo, hi, 5))
      svg << "<line x1=\"" << x0 - 4 << "\" y1=\"" << y_of(tick) << "\" x2=\"" << x0 << "\" y2=\"" << y_of(tick)
          << "\" stroke=\"black\"/><text x=\"" << x0 - 6 << "\" y=\"" << y_of(tick) + 4 << "\" text-anchor=\"end\" font-size=\"10\">"
          << format_value(tick) << "</text>\n";
    for (const auto& row : t)
      svg << "<text x=\"" << x_at(double(row.rank)) << "\" y=\"" << y0 + panel_height + 16
          << "\" text-anchor=\"middle\">" << row.rank << "</text>\n";
    const double xc = x_at(double(t[choice.chosen].rank));
    svg << "<line class=\"chosen\" x1=\"" << xc << "\" y1=\"" << y0 << "\" x2=\"" << xc << "\" y2=\"" << y0 + panel_height
        << "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n"
        << "<text x=\"" << x0 + panel_width / 2 << "\" y=\"" << y0 + panel_height + 32 << "\" text-anchor=\"middle\">rank</text>\n";
    for (std::size_t si = 0; si < panel.series.size(); ++si) {
      const Series& s = panel.series[si];
      svg << "<g class=\"series\" data-name=\"" << s.name << "\">\n<polyline fill=\"none\" stroke=\"" << s.color
          << "\" stroke-width=\"2\" points=\"";
      for (const auto& row : t)
        if (std::isfinite(s.value(row))) svg << x_at(double(row.rank)) << ',' << y_of(s.value(row)) << ' ';
      svg << "\"/>\n";
      for (const auto& row : t) {
        const double v = s.value(row), e = s.spread(row), x = x_at(double(row.rank));
        if (!std::isfinite(v)) continue;
        if (e > 0)
          svg << "<line x1=\"" << x << "\" y1=\"" << y_of(v - e) << "\" x2=\"" << x << "\" y2=\"" << y_of(v + e)
              << "\" stroke=\"" << s.color << "\"/>\n";
        svg << "<circle class=\"point\" data-rank=\"" << row.rank << "\" data-value=\"" << v << "\" cx=\"" << x
            << "\" cy=\"" << y_of(v) << "\" r=\"3.5\" fill=\"" << s.color << "\"/>\n";
      }
      if (panel.series.size() > 1)
        svg << "<text x=\"" << x0 + 8 << "\" y=\"" << y0 + 16 + 14 * int(si) << "\" fill=\"" << s.color << "\">"
            << s.name << "</text>\n";
      svg << "</g>\n";
    }
    svg << "</g>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

/// The consensus matrix of one rank as a heat map (white: never together, dark: always), rows
/// and columns in the order of the average-linkage tree. Sample names label the axes when
/// there are at most 120 samples.
inline std::string render_consensus_heatmap(const RankCriteria& row, const std::vector<std::string>& samples) {
  const Eigen::Index n = row.consensus.rows();
  if (n == 0) throw std::invalid_argument("consensus heat map: no consensus (it needs 2 or more restarts)");
  if (Eigen::Index(samples.size()) != n || Eigen::Index(row.consensus_order.size()) != n)
    throw std::invalid_argument("consensus heat map: " + std::to_string(samples.size()) + " names and " +
                                std::to_string(row.consensus_order.size()) + " positions for " + std::to_string(n) +
                                " samples");
  const bool labels = n <= 120;
  const int cell = int(std::clamp<Eigen::Index>(720 / n, 2, 24));
  const int left = labels ? 150 : 30, top = labels ? 170 : 60;
  const int size = cell * int(n), width = left + size + 110, height = top + size + 30;
  std::ostringstream svg;
  svg.precision(6);
  open_svg(svg, width, height, 11);
  svg << "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Consensus over restarts, rank " << row.rank
      << ": cophenetic " << format_value(row.cophenetic) << ", dispersion " << format_value(row.dispersion) << "</text>\n"
      << "<text x=\"10\" y=\"40\" fill=\"#555\">share of restarts that put two samples in one module; samples in "
         "average-linkage order</text>\n<g class=\"heatmap\">\n";
  for (Eigen::Index a = 0; a < n; ++a)
    for (Eigen::Index b = 0; b < n; ++b) {
      const Eigen::Index i = row.consensus_order[std::size_t(a)], j = row.consensus_order[std::size_t(b)];
      const double c = std::clamp(row.consensus(i, j), 0.0, 1.0);
      const int shade = int(std::lround(255 * (1.0 - c)));
      char color[16];
      std::snprintf(color, sizeof color, "#%02x%02xff", shade, shade);
      svg << "<rect class=\"cell\" x=\"" << left + b * cell << "\" y=\"" << top + a * cell << "\" width=\"" << cell
          << "\" height=\"" << cell << "\" fill=\"" << color << "\"><title>" << xml_escape(samples[std::size_t(i)])
          << " / " << xml_escape(samples[std::size_t(j)]) << ": " << c << "</title></rect>\n";
    }
  svg << "</g>\n";
  if (labels)
    for (Eigen::Index a = 0; a < n; ++a) {
      const std::string name = xml_escape(samples[std::size_t(row.consensus_order[std::size_t(a)])]);
      const double middle = a * cell + cell / 2.0 + 4;
      svg << "<text class=\"row-label\" x=\"" << left - 4 << "\" y=\"" << top + middle << "\" text-anchor=\"end\">" << name
          << "</text>\n<text x=\"" << left + middle - 4 << "\" y=\"" << top - 4 << "\" transform=\"rotate(-60 "
          << left + middle - 4 << ' ' << top - 4 << ")\">" << name << "</text>\n";
    }
  // The colour key.
  const int key_x = left + size + 30;
  for (int s = 0; s <= 10; ++s) {
    const int shade = int(std::lround(255 * (1.0 - s / 10.0)));
    char color[16];
    std::snprintf(color, sizeof color, "#%02x%02xff", shade, shade);
    svg << "<rect x=\"" << key_x << "\" y=\"" << top + (10 - s) * 14 << "\" width=\"16\" height=\"14\" fill=\"" << color
        << "\" stroke=\"#ccc\"/>\n";
  }
  svg << "<text x=\"" << key_x + 22 << "\" y=\"" << top + 11 << "\">1</text>\n<text x=\"" << key_x + 22 << "\" y=\""
      << top + 10 * 14 + 11 << "\">0</text>\n</svg>\n";
  return svg.str();
}

}  // namespace modules_cli
