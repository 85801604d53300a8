// cross_validate_lambda: the curve is well formed, the one-standard-error rule holds, a noisy
// piecewise-constant signal prefers smoothing to none, and errors surface as exceptions; and
// fit_at_cross_validated_lambda, whose fit may begin beside the curve's last fits.
#include <catch2/catch.hpp>

#include <cstdint>
#include <mutex>
#include <vector>

#include <fusednmf/lambda_cv.hpp>
#include <fusednmf/lambda_cv_fit.hpp>

#include "nmf/planted.hpp"

using namespace fusednmf;

TEST_CASE("λ by cross-validation: a well-formed curve and the one-standard-error choice", "[cv]") {
  auto p = testing::planted(3000, 8, 3, 150, 0.8, 21);  // long runs, heavy noise
  const SegmentedMatrix<double> Y = compress_rows(p.Y);
  NMFOptions o;
  o.rank = 3;
  LambdaCVOptions cv;
  cv.lambdas = {0, 1, 10, 100};
  cv.stop_after_rises = 0;  // the whole grid
  const LambdaCVCurve curve = cross_validate_lambda(Y, {}, o, cv);
  REQUIRE(curve.mean_error.size() == 4);
  CHECK(curve.not_fitted.empty());
  REQUIRE(curve.standard_error.size() == 4);
  for (std::size_t l = 0; l < 4; ++l) {
    CHECK(std::isfinite(curve.mean_error[l]));
    CHECK(curve.mean_error[l] >= curve.mean_error[curve.best]);
  }
  CHECK(curve.lambdas[curve.chosen] >= curve.lambdas[curve.best]);
  CHECK(curve.mean_error[curve.chosen] <= curve.mean_error[curve.best] + curve.standard_error[curve.best]);
  // Noise on long runs: smoothing predicts hidden blocks better than none.
  CHECK(curve.mean_error[0] > curve.mean_error[curve.best]);
  CHECK(curve.lambda() > 0);
  // The same seed, the same curve, whatever the thread count.
  o.threads = 1;
  const LambdaCVCurve serial = cross_validate_lambda(Y, {}, o, cv);
  CHECK(serial.mean_error == curve.mean_error);
  // Asked for projected ALS (which has no masked form), the held-out fits still run, with HALS.
  o.solver = Solver::ProjectedALS;
  CHECK(cross_validate_lambda(Y, {}, o, cv).mean_error == curve.mean_error);
}

TEST_CASE("λ by cross-validation: bad input throws, also from the parallel fits", "[cv]") {
  SegmentedMatrix<double> Y;
  Y.values = Eigen::MatrixXd::Ones(3, 2);
  Y.lengths = Eigen::VectorXd::Ones(3);
  NMFOptions o;
  o.rank = 5;  // more than the 3 rows
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, o, LambdaCVOptions{}), Catch::Matchers::Contains("rank 5"));
  LambdaCVOptions bad;
  bad.folds = 1;
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, NMFOptions{}, bad), Catch::Matchers::Contains("folds"));
  bad = LambdaCVOptions{};
  bad.lambdas = {-1};
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, NMFOptions{}, bad), Catch::Matchers::Contains("lambdas"));
  bad = LambdaCVOptions{};
  bad.stop_after_rises = -1;
  CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, NMFOptions{}, bad), Catch::Matchers::Contains("stop_after_rises"));
}

TEST_CASE("λ by cross-validation: a small sample draws its folds several times, and the curve then "
          "turns less on the seed", "[cv]") {
  NMFOptions o;
  o.rank = 2;
  o.threads = 1;
  SECTION("how many partitions") {
    const SegmentedMatrix<double> Y = compress_rows(testing::planted(600, 6, 2, 60, 0.8, 23).Y);
    REQUIRE(Y.segments() == 600);
    LambdaCVOptions cv;
    cv.lambdas = {10};
    CHECK(cross_validate_lambda(Y, {}, o, cv).repeats == 4);  // auto: 4 x 600 rows up to 2,500
    cv.max_rows = 400;                                        // a sample of 400 rows: 6
    CHECK(cross_validate_lambda(Y, {}, o, cv).repeats == 6);
    cv.max_auto_repeats = 2;
    CHECK(cross_validate_lambda(Y, {}, o, cv).repeats == 2);
    cv = LambdaCVOptions{};
    cv.lambdas = {10};
    cv.auto_repeat_rows = 600;  // one partition reaches it
    CHECK(cross_validate_lambda(Y, {}, o, cv).repeats == 1);
    cv.repeats = 5;  // given: whatever the size
    CHECK(cross_validate_lambda(Y, {}, o, cv).repeats == 5);
    const SegmentedMatrix<double> longer = compress_rows(testing::planted(3000, 6, 2, 150, 0.8, 23).Y);
    cv = LambdaCVOptions{};
    cv.lambdas = {10};
    CHECK(cross_validate_lambda(longer, {}, o, cv).repeats == 1);
    for (auto make_bad : std::vector<void (*)(LambdaCVOptions&)>{
             [](LambdaCVOptions& c) { c.repeats = -1; }, [](LambdaCVOptions& c) { c.max_auto_repeats = 0; },
             [](LambdaCVOptions& c) { c.auto_repeat_rows = 0; }}) {
      LambdaCVOptions bad;
      make_bad(bad);
      CHECK_THROWS_WITH(cross_validate_lambda(Y, {}, o, bad), Catch::Matchers::Contains("repeat"));
    }
  }
  SECTION("the held-out error varies less from seed to seed") {
    // Given the data, the seed only draws the partition; the mean over 6 independent partitions
    // has a sixth of one partition's variance over seeds. Over 12 seeds the sample variances'
    // ratio is below 1/2 unless the draws are wildly off (an F(11, 11) beyond 3).
    const SegmentedMatrix<double> Y = compress_rows(testing::planted(600, 6, 2, 60, 0.8, 24).Y);
    LambdaCVOptions cv;
    cv.lambdas = {10};
    cv.block_rows = 8;
    auto variance_over_seeds = [&](int repeats) {
      cv.repeats = repeats;
      std::vector<double> errors;
      for (std::uint64_t seed = 0; seed < 12; ++seed) {
        cv.seed = seed;
        errors.push_back(cross_validate_lambda(Y, {}, o, cv).mean_error.front());
      }
      double mean = 0, var = 0;
      for (double e : errors) mean += e / double(errors.size());
      for (double e : errors) var += (e - mean) * (e - mean) / double(errors.size() - 1);
      return var;
    };
    const double one = variance_over_seeds(1), six = variance_over_seeds(6);
    INFO("variance over seeds: one partition " << one << ", six " << six);
    CHECK(one > 0);
    CHECK(six < 0.5 * one);
  }
}

TEST_CASE("λ by cross-validation: the grid stops once the error has risen past the bound, with the "
          "whole grid's choice, whatever the thread count and the grid's order", "[cv]") {
  auto p = testing::planted(3000, 8, 3, 150, 0.8, 22);
  const SegmentedMatrix<double> Y = compress_rows(p.Y);
  NMFOptions o;
  o.rank = 3;
  LambdaCVOptions cv;
  // λ of 10^5 and 10^6 rows flatten every factor of 3,000 rows: the error is far past the bound.
  cv.lambdas = {1e6, 0.1, 1, 10, 100, 1000, 1e4, 1e5};
  cv.repeats = 1;  // 3 fits per λ, as the thread counts below assume
  cv.stop_after_rises = 0;
  const LambdaCVCurve whole = cross_validate_lambda(Y, {}, o, cv);
  REQUIRE(whole.lambdas == std::vector<double>{0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6});  // fitted in increasing λ
  cv.stop_after_rises = 2;
  for (int threads : {0, 1, 2, 3, 4}) {  // fits in flight past the stop: 0 to 3 on 3 folds
    INFO("threads " << threads);
    o.threads = threads;
    const LambdaCVCurve early = cross_validate_lambda(Y, {}, o, cv);
    REQUIRE_FALSE(early.not_fitted.empty());
    const std::size_t fitted = early.lambdas.size();
    CHECK(fitted + early.not_fitted.size() == whole.lambdas.size());
    // The same fits as the whole grid's, up to where it stopped.
    CHECK(early.lambdas == std::vector<double>(whole.lambdas.begin(), whole.lambdas.begin() + std::ptrdiff_t(fitted)));
    CHECK(early.not_fitted == std::vector<double>(whole.lambdas.begin() + std::ptrdiff_t(fitted), whole.lambdas.end()));
    CHECK(early.mean_error == std::vector<double>(whole.mean_error.begin(), whole.mean_error.begin() + std::ptrdiff_t(fitted)));
    // It stopped right after two λ past the lowest error above its bound.
    const double bound = early.mean_error[early.best] + early.standard_error[early.best];
    REQUIRE(fitted >= early.best + 3);
    CHECK(early.mean_error[fitted - 1] > bound);
    CHECK(early.mean_error[fitted - 2] > bound);
    CHECK(early.lambda() == whole.lambda());
  }
}

TEST_CASE("λ by cross-validation: the fits see evenly spaced windows of the rows, cut as chains", "[cv]") {
  SegmentedMatrix<double> Y;
  const Eigen::Index n = 1000;
  Y.values.resize(n, 2);
  Y.lengths.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    Y.values(i, 0) = double(i);  // the row's own index: every sampled row can be traced back
    Y.values(i, 1) = 1.0;
    Y.lengths[i] = double(1 + i % 7);
  }
  const std::vector<Eigen::Index> chains{100, 430, 436, 900};
  SECTION("small enough: all of it, with its chains") {
    const auto all = sample_rows(Y, chains, 1000, 30);
    CHECK(all.Y.values == Y.values);
    CHECK(all.chain_starts == chains);
    const auto uncapped = sample_rows(Y, chains, 0, 30);
    CHECK(uncapped.Y.segments() == n);
  }
  SECTION("capped: ceil(max_rows / window) windows of consecutive rows, one per stratum") {
    const Eigen::Index window = 40, max_rows = 150;  // 4 windows of 40 rows
    const auto sample = sample_rows(Y, chains, max_rows, window);
    REQUIRE(sample.Y.segments() == 4 * window);
    std::vector<Eigen::Index> expected_chains;
    for (Eigen::Index w = 0; w < 4; ++w) {
      const Eigen::Index first = Eigen::Index(sample.Y.values(w * window, 0));
      CHECK(first >= w * n / 4);                   // inside stratum w
      CHECK(first + window <= (w + 1) * n / 4);
      for (Eigen::Index r = 0; r < window; ++r) {  // consecutive rows, lengths carried along
        CHECK(sample.Y.values(w * window + r, 0) == double(first + r));
        CHECK(sample.Y.lengths[w * window + r] == Y.lengths[first + r]);
      }
      if (w > 0) expected_chains.push_back(w * window);
      for (Eigen::Index c : chains)
        if (c > first && c < first + window) expected_chains.push_back(w * window + c - first);
    }
    CHECK(sample.chain_starts == expected_chains);
    for (std::size_t c = 1; c < sample.chain_starts.size(); ++c)
      CHECK(sample.chain_starts[c] > sample.chain_starts[c - 1]);
  }
  SECTION("a capped curve is well formed") {
    NMFOptions o;
    o.rank = 2;
    LambdaCVOptions cv;
    cv.lambdas = {1, 100};
    cv.max_rows = 300;
    cv.window_rows = 100;
    cv.block_rows = 4;
    const auto curve = cross_validate_lambda(Y, chains, o, cv);
    for (double e : curve.mean_error) CHECK(std::isfinite(e));
    LambdaCVOptions bad = cv;
    bad.max_rows = -1;
    CHECK_THROWS_WITH(cross_validate_lambda(Y, chains, o, bad), Catch::Matchers::Contains("max_rows"));
  }
}

namespace {

// Long runs under heavy noise, whose curve on stopping_grid() stops early: λ of 10^5 and 10^6
// rows flatten every factor of its 3,000 rows.
SegmentedMatrix<double> noisy_runs() { return compress_rows(testing::planted(3000, 8, 3, 150, 0.8, 22).Y); }
NMFOptions rank_3_on_one_thread() {
  NMFOptions o;
  o.rank = 3;
  o.threads = 1;
  return o;
}
LambdaCVOptions stopping_grid() {
  LambdaCVOptions cv;
  cv.repeats = 1;  // the queue's order is what these test; more partitions only add fits per λ
  cv.lambdas = {0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6};
  return cv;
}

}  // namespace

TEST_CASE("λ by cross-validation: the queue tells an observer where the curve stands, in grid order", "[cv]") {
  const SegmentedMatrix<double> Y = noisy_runs();
  NMFOptions o = rank_3_on_one_thread();
  LambdaCVOptions cv = stopping_grid();
  std::vector<std::size_t> summarised, ended;
  std::vector<std::pair<std::size_t, std::size_t>> settled;  // (λ summarised, provisional choice)
  const detail::CurveObserver observer = [&](const detail::CurveEvent& e) -> std::function<void()> {
    CHECK_FALSE(e.side_by_side);  // one thread
    (e.kind == detail::CurveEvent::Ended ? ended : summarised).push_back(e.curve.lambdas.size());
    if (e.ends_on_next_rise) settled.emplace_back(e.curve.lambdas.size(), e.provisional);
    return {};
  };
  const LambdaCVCurve curve = cross_validate_lambda(Y, {}, o, cv, {}, observer);
  const std::size_t fitted = curve.lambdas.size();
  REQUIRE(fitted < cv.lambdas.size());  // it stopped early
  CHECK(ended == std::vector<std::size_t>{fitted});
  std::vector<std::size_t> each;  // one event per λ (one thread)
  for (std::size_t l = 1; l < fitted; ++l) each.push_back(l);
  CHECK(summarised == each);
  // The curve ended on a rise, announced one λ before with the choice it kept.
  REQUIRE_FALSE(settled.empty());
  CHECK(settled.back().first == fitted - 1);
  CHECK(settled.back().second == curve.chosen);
}

TEST_CASE("the fit at the cross-validated λ: the bytes of the curve then the fit, whatever the thread "
          "count or when it began, and its progress after the curve, in order", "[cv]") {
  const SegmentedMatrix<double> Y = noisy_runs();
  NMFOptions o = rank_3_on_one_thread();
  LambdaCVOptions cv = stopping_grid();
  // Stopping after 1 rise, each new lowest error abandons the fit begun at the previous one.
  for (int rises : {2, 1}) {
    cv.stop_after_rises = rises;
    o.threads = 1;
    o.progress = nullptr;  // the previous round's writes to that round's events
    const LambdaCVCurve curve = cross_validate_lambda(Y, {}, o, cv);
    const NMFResult<double> fit = NMF<FusedLasso<double>>(o, FusedLasso<double>{curve.lambda(), 0.0}).fit(Y, {}, {});
    for (int threads : {1, 2, 3}) {
      INFO("stop after " << rises << " rises, threads " << threads);
      o.threads = threads;
      std::vector<int> events;  // 0: the curve; i > 0: sweep i
      std::mutex events_mutex;
      o.progress = [&](const Progress& s) {
        std::lock_guard<std::mutex> lock(events_mutex);
        events.push_back(s.iteration);
      };
      LambdaCVFitHooks hooks;
      hooks.on_curve = [&](const LambdaCVCurve&) {
        std::lock_guard<std::mutex> lock(events_mutex);
        events.push_back(0);
      };
      int fits_started = 0;
      hooks.before_fit = [&](NMFOptions& started) {
        std::lock_guard<std::mutex> lock(events_mutex);
        ++fits_started;
        started.max_iterations = o.max_iterations;  // what the hook sets reaches the fit
      };
      const LambdaCVFit<double> both = fit_at_cross_validated_lambda(Y, {}, o, cv, {}, hooks);
      CHECK(both.curve.lambdas == curve.lambdas);
      CHECK(both.curve.mean_error == curve.mean_error);
      CHECK(both.curve.chosen == curve.chosen);
      CHECK(both.result.W == fit.W);
      CHECK(both.result.H == fit.H);
      CHECK(both.result.iterations == fit.iterations);
      REQUIRE(events.size() == std::size_t(fit.iterations) + 1);
      for (std::size_t e = 0; e < events.size(); ++e) CHECK(events[e] == int(e));
      CHECK(fits_started >= 1);
      // On more than one thread it began beside the curve, unless the last λ's fold fits all
      // ended before the previous λ's last one (scheduling decides, so that is not asserted).
      if (threads == 1) CHECK_FALSE(both.fitted_beside_curve);
    }
  }
}

TEST_CASE("the fit at the cross-validated λ begins beside the curve only while it is small", "[cv]") {
  // Beside the queue its loops run on one thread: a fit with enough work for threads of its own
  // waits for the curve instead.
  CHECK(detail::fits_beside_curve(11844, 15));          // GM12878 chr11:1-11 Mb, binarized
  CHECK(detail::fits_beside_curve(50000, 10));          // 30 dense tracks x 10 Mb, 200 bp bins
  CHECK_FALSE(detail::fits_beside_curve(200000, 10));   // the same in 50 bp bins
  CHECK_FALSE(detail::fits_beside_curve(1246000, 10));  // a whole chromosome 1 in 200 bp bins
  CHECK_FALSE(detail::fits_beside_curve(100000, 10));  // at the bound
  // The test above, which compares the bytes, fits below it.
  CHECK(detail::fits_beside_curve(noisy_runs().segments(), rank_3_on_one_thread().rank));
}
