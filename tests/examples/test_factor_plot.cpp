#include <string>

#include <catch2/catch.hpp>

#include "../../examples/common/factor_plot.hpp"

using namespace fusednmf::examples;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("lanes are downsampled to the mean per pixel", "[plot]") {
  PlotLane lane{"x", {1.0, 3.0, 0.0}, {50, 50, 100}, "#000"};
  const auto v = downsample(lane, 4);  // 50 bases per pixel
  REQUIRE(v.size() == 4);
  CHECK(v[0] == Approx(1.0));
  CHECK(v[1] == Approx(3.0));
  CHECK(v[2] == Approx(0.0));
  const auto coarse = downsample(lane, 2);  // 100 bases per pixel: (50*1 + 50*3) / 100
  CHECK(coarse[0] == Approx(2.0));
  CHECK(coarse[1] == Approx(0.0));
  const auto fine = downsample(lane, 400);  // more pixels than bases: every pixel still right
  CHECK(fine[0] == Approx(1.0));
  CHECK(fine[150] == Approx(3.0));
  CHECK(fine[399] == Approx(0.0));
}

TEST_CASE("axis ticks are round numbers in genome units", "[plot]") {
  const auto ticks = nice_ticks(100000, 2900000);
  REQUIRE(!ticks.empty());
  CHECK(ticks.front() >= 100000);
  CHECK(ticks.back() <= 2900000);
  CHECK(ticks[1] - ticks[0] == Approx(500000));
  CHECK(format_position(1500000) == "1.5 Mb");
  CHECK(format_position(800000) == "800 kb");
  CHECK(format_position(950) == "950 b");
  CHECK(xml_escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;");
}

TEST_CASE("the SVG has one lane per signal and a cell per entry of H", "[plot]") {
  FactorPlot plot;
  plot.title = "test <region>";
  plot.chrom = "chr1";
  plot.start = 1000;
  plot.end = 1200;
  for (int j = 0; j < 3; ++j) plot.lanes.push_back({"factor " + std::to_string(j + 1), {double(j), 1.0}, {100, 100}});
  plot.lanes.push_back({"genes & more.bw", {0.0, 1.0}, {150, 50}, "#2ca02c"});
  plot.H = Eigen::MatrixXd::Random(3, 4).cwiseAbs();
  plot.track_names = {"a.bw", "b.bw", "c.bw", "d<e>.bw"};
  const std::string svg = render_svg(plot);
  CHECK(count(svg, "<g class=\"lane\"") == 4);
  CHECK(count(svg, "<rect class=\"cell\"") == 12);
  CHECK(svg.find("d&lt;e&gt;.bw") != std::string::npos);
  CHECK(svg.find("test &lt;region&gt;") != std::string::npos);
  CHECK(svg.rfind("</svg>") != std::string::npos);
  plot.track_names.pop_back();
  CHECK_THROWS_AS(render_svg(plot), std::invalid_argument);
  plot.end = plot.start;
  CHECK_THROWS_AS(render_svg(plot), std::invalid_argument);
}
