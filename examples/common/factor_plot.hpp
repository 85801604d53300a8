#pragma once
// A picture of a factorization over a genomic region, as plain SVG (no plotting library): one
// lane per factor (each column of W, filled to its own maximum), lanes for the annotation and
// chosen input tracks, an axis in genome coordinates, and a heat map of H with track names.
// Lanes are downsampled to one mean value per pixel column, so 10^7 positions draw as fast as 10^3.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <fusednmf/io/atomic_file.hpp>

namespace fusednmf::examples {

/// A piecewise-constant signal over the region: values[s] on lengths[s] bases, in order.
struct PlotLane {
  std::string label;
  std::vector<double> values;
  std::vector<std::int64_t> lengths;
  std::string color = "#1f77b4";
};

struct FactorPlot {
  std::string title, chrom;
  std::int64_t start = 0, end = 0;  ///< the region, [start, end)
  std::vector<PlotLane> lanes;
  Eigen::MatrixXd H;                     ///< k x m, drawn as a heat map (empty: none)
  std::vector<std::string> track_names;  ///< m names for H's columns
  int width = 1200;                      ///< pixels
};

inline std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

/// Mean of the lane over each of `pixels` equal slices of its total length.
inline std::vector<double> downsample(const PlotLane& lane, int pixels) {
  std::int64_t total = 0;
  for (auto l : lane.lengths) total += l;
  std::vector<double> sum(std::size_t(std::max(pixels, 1)), 0.0);
  if (total <= 0 || pixels < 1) return sum;
  const double per_pixel = double(total) / pixels;
  double position = 0.0;
  for (std::size_t s = 0; s < lane.values.size() && s < lane.lengths.size(); ++s) {
    double a = position;
    const double b = position + double(lane.lengths[s]);
    while (a < b) {  // spread this segment over the pixels it covers
      const int p = std::min(pixels - 1, int(a / per_pixel));
      const double edge = std::min(b, double(p + 1) * per_pixel);
      sum[std::size_t(p)] += lane.values[s] * (edge - a);
      a = edge > a ? edge : b;
    }
    position = b;
  }
  for (double& v : sum) v /= per_pixel;
  return sum;
}

/// Round tick positions (1, 2 or 5 times a power of ten) covering [lo, hi].
inline std::vector<double> nice_ticks(double lo, double hi, int target = 8) {
  std::vector<double> ticks;
  if (!(hi > lo)) return ticks;
  const double raw = (hi - lo) / target, power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) {
      step = m * power;
      break;
    }
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) ticks.push_back(t);
  return ticks;
}

/// "12.5 Mb", "800 kb", "950 b".
inline std::string format_position(double bases) {
  char buf[32];
  if (bases >= 1e6) std::snprintf(buf, sizeof buf, "%g Mb", bases / 1e6);
  else if (bases >= 1e3) std::snprintf(buf, sizeof buf, "%g kb", bases / 1e3);
  else std::snprintf(buf, sizeof buf, "%g b", bases);
  return buf;
}

inline std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

/// The start every plot of the examples shares: the XML declaration, the <svg> element of
/// width x height pixels with its font, and a white background.
inline void open_svg(std::ostream& svg, int width, int height, int font_size) {
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << ' ' << height << "\" font-family=\"sans-serif\" font-size=\"" << font_size << "\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

inline std::string render_svg(const FactorPlot& plot) {
  if (plot.end <= plot.start) throw std::invalid_argument("plot: the region is empty");
  if (plot.H.size() && Eigen::Index(plot.track_names.size()) != plot.H.cols())
    throw std::invalid_argument("plot: " + std::to_string(plot.track_names.size()) + " track names for " +
                                std::to_string(plot.H.cols()) + " columns of H");
  const int left = 190, right = 20, top = 40, lane_height = 56, lane_gap = 10;
  const int plot_width = std::max(100, plot.width - left - right);
  const int lanes_bottom = top + int(plot.lanes.size()) * (lane_height + lane_gap);
  const int axis_height = 40;
  const Eigen::Index k = plot.H.rows(), m = plot.H.cols();
  const int cell = m ? std::clamp(plot_width / int(m), 8, 36) : 0;
  const int heat_top = lanes_bottom + axis_height + 30, heat_height = int(k) * cell, names_height = 130;
  const int height = plot.H.size() ? heat_top + heat_height + names_height : lanes_bottom + axis_height + 10;
  const double span = double(plot.end - plot.start);
  auto x_of = [&](double base) { return left + (base - double(plot.start)) / span * plot_width; };

  std::ostringstream svg;
  svg.precision(6);
  open_svg(svg, plot.width, height, 12);
  svg << "<text x=\"" << left << "\" y=\"22\" font-size=\"15\" font-weight=\"bold\">" << xml_escape(plot.title)
      << "</text>\n";

  for (std::size_t i = 0; i < plot.lanes.size(); ++i) {
    const PlotLane& lane = plot.lanes[i];
    const int y0 = top + int(i) * (lane_height + lane_gap), base = y0 + lane_height;
    const std::vector<double> v = downsample(lane, plot_width);
    const double peak = *std::max_element(v.begin(), v.end());
    svg << "<g class=\"lane\" data-label=\"" << xml_escape(lane.label) << "\">\n"
        << "<text x=\"" << left - 8 << "\" y=\"" << y0 + lane_height / 2 << "\" text-anchor=\"end\">"
        << xml_escape(lane.label) << "</text>\n"
        << "<text x=\"" << left - 8 << "\" y=\"" << y0 + lane_height / 2 + 14
        << "\" text-anchor=\"end\" font-size=\"10\" fill=\"#666\">max " << format_value(peak) << "</text>\n"
        << "<rect x=\"" << left << "\" y=\"" << y0 << "\" width=\"" << plot_width << "\" height=\"" << lane_height
        << "\" fill=\"none\" stroke=\"#ccc\"/>\n"
        << "<path fill=\"" << lane.color << "\" d=\"M" << left << ',' << base;
    for (int p = 0; p < plot_width; ++p) {
      const double y = peak > 0 ? base - v[std::size_t(p)] / peak * (lane_height - 2) : base;
      svg << " L" << left + p << ',' << y << ' ' << left + p + 1 << ',' << y;
    }
    svg << " L" << left + plot_width << ',' << base << " Z\"/>\n</g>\n";
  }

  // The genome axis under the lanes.
  const int axis_y = lanes_bottom + 4;
  svg << "<g class=\"axis\">\n<line x1=\"" << left << "\" y1=\"" << axis_y << "\" x2=\"" << left + plot_width
      << "\" y2=\"" << axis_y << "\" stroke=\"black\"/>\n";
  for (double t : nice_ticks(double(plot.start), double(plot.end))) {
    const double x = x_of(t);
    svg << "<line x1=\"" << x << "\" y1=\"" << axis_y << "\" x2=\"" << x << "\" y2=\"" << axis_y + 5
        << "\" stroke=\"black\"/><text x=\"" << x << "\" y=\"" << axis_y + 18 << "\" text-anchor=\"middle\">"
        << format_position(t) << "</text>\n";
  }
  svg << "<text x=\"" << left + plot_width / 2 << "\" y=\"" << axis_y + 34 << "\" text-anchor=\"middle\">"
      << xml_escape(plot.chrom) << " position</text>\n</g>\n";

  if (plot.H.size()) {  // heat map: each factor's row of H as shares of its largest weight
    svg << "<g class=\"heatmap\">\n<text x=\"" << left << "\" y=\"" << heat_top - 10
        << "\">H: weight of each input track in each factor (row maximum = darkest)</text>\n";
    for (Eigen::Index r = 0; r < k; ++r) {
      const double row_max = plot.H.row(r).maxCoeff();
      svg << "<text x=\"" << left - 8 << "\" y=\"" << heat_top + r * cell + cell / 2 + 4
          << "\" text-anchor=\"end\">" << xml_escape(r < Eigen::Index(plot.lanes.size()) ? plot.lanes[std::size_t(r)].label : "factor " + std::to_string(r + 1))
          << "</text>\n";
      for (Eigen::Index c = 0; c < m; ++c) {
        const double share = row_max > 0 ? plot.H(r, c) / row_max : 0.0;
        const int shade = int(std::lround(255 * (1.0 - share)));
        char color[16];
        std::snprintf(color, sizeof color, "#%02x%02xff", shade, shade);
        svg << "<rect class=\"cell\" x=\"" << left + c * cell << "\" y=\"" << heat_top + r * cell << "\" width=\"" << cell
            << "\" height=\"" << cell << "\" fill=\"" << color << "\" stroke=\"white\"><title>"
            << xml_escape(plot.track_names[std::size_t(c)]) << ": " << plot.H(r, c) << "</title></rect>\n";
      }
    }
    for (Eigen::Index c = 0; c < m; ++c) {
      const double x = left + c * cell + cell / 2.0 + 4, y = heat_top + heat_height + 8;
      svg << "<text x=\"" << x << "\" y=\"" << y << "\" transform=\"rotate(60 " << x << ' ' << y
          << ")\" font-size=\"11\">" << xml_escape(plot.track_names[std::size_t(c)]) << "</text>\n";
    }
    svg << "</g>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

/// Writes `text` to `path` atomically (a temporary, then renamed); throws naming the path.
inline void write_text_file(const std::filesystem::path& path, const std::string& text) {
  io::AtomicFile file(path);
  file.stream() << text;
  if (!file.stream()) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  file.commit();
}

/// Writes the plot atomically; throws naming the path.
inline void write_svg(const std::filesystem::path& path, const FactorPlot& plot) { write_text_file(path, render_svg(plot)); }

}  // namespace fusednmf::examples
