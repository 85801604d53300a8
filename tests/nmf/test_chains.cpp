// Chains (chromosomes) in one fit, and a fit split across "processes" through a Reducer. The
// processes here are threads joined by a small in-process all-reduce, so the Reducer contract is
// tested without MPI.
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/nmf.hpp>

#include "planted.hpp"
#include "support/in_process_allreduce.hpp"

using namespace fusednmf;
using fusednmf::testing::InProcessAllReduce;

namespace {

SegmentedMatrix<double> rows_of(const SegmentedMatrix<double>& Y, Eigen::Index first, Eigen::Index count) {
  SegmentedMatrix<double> part;
  part.values = Y.values.middleRows(first, count);
  part.lengths = Y.lengths.segment(first, count);
  return part;
}

}  // namespace

TEST_CASE("chains are smoothed separately, never across a boundary", "[nmf][chains]") {
  // Two chains with clearly different levels; a huge lambda flattens each chain to its own mean.
  SegmentedMatrix<double> Y;
  Y.values.resize(6, 2);
  Y.values << 1, 2, 1.2, 2.1, 0.9, 1.9, 5, 1, 5.2, 1.1, 4.8, 0.9;
  Y.lengths = Eigen::VectorXd::Constant(6, 10.0);
  NMFOptions o;
  o.rank = 1;
  o.max_iterations = 50;
  o.init = Init::Random;
  NMF<FusedLasso<double>> nmf(o, FusedLasso<double>{1e9, 0.0});
  const auto split = nmf.fit(Y, {3});
  const auto whole = nmf.fit(Y);
  CHECK(split.W(0, 0) == Approx(split.W(2, 0)));
  CHECK(split.W(3, 0) == Approx(split.W(5, 0)));
  CHECK(std::abs(split.W(0, 0) - split.W(3, 0)) > 0.1 * split.W.maxCoeff());  // two levels
  CHECK(whole.W(0, 0) == Approx(whole.W(5, 0)));                              // one level
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(nmf.fit(Y, {3, 3}), Contains("chain start 3"));
  CHECK_THROWS_WITH(nmf.fit(Y, {6}), Contains("chain start 6"));
}

TEST_CASE("a fit split across processes through a Reducer equals the single-process fit", "[nmf][chains]") {
  const auto planted = testing::planted(3000, 12, 3, 20, 0.0, 5);
  const SegmentedMatrix<double> Y = compress_rows(planted.Y);
  REQUIRE(Y.segments() > 100);
  // Four chains ("chromosomes"); process 0 holds the first two, process 1 the rest.
  const Eigen::Index n = Y.segments(), a = n / 4, b = n / 2, c = 3 * n / 4;
  for (Init init : {Init::NNDSVDa, Init::ClippedSVD, Init::Random}) {
    NMFOptions o;
    o.rank = 3;
    o.max_iterations = 25;
    o.tolerance = 0;
    o.init = init;
    o.threads = 1;
    NMF<FusedLasso<double>> nmf(o, FusedLasso<double>{20.0, 0.0});
    const auto single = nmf.fit(Y, {a, b, c});

    InProcessAllReduce allreduce(2);
    NMFResult<double> part0, part1;
    std::thread other([&] { part1 = nmf.fit(rows_of(Y, b, n - b), {c - b}, allreduce.for_party(1)); });
    part0 = nmf.fit(rows_of(Y, 0, b), {a}, allreduce.for_party(0));
    other.join();

    Eigen::MatrixXd W(n, 3);
    W << part0.W, part1.W;
    CHECK((W - single.W).norm() / single.W.norm() < 1e-6);
    CHECK((part0.H - single.H).norm() / single.H.norm() < 1e-6);
    CHECK(part0.H == part1.H);  // every process solves the same H
    CHECK(part0.objective.back() == Approx(single.objective.back()).epsilon(1e-9));
    // Communication: a bounded number of reductions per sweep, whatever the rows: the cross
    // products, the penalty, and one step total per pass over W's columns.
    CHECK(allreduce.calls() <= 5 + (3 + detail::hals_auto_passes(12, 3)) * 25);
  }
  NMFOptions o;
  o.rank = 3;
  o.init = Init::RandomizedSVD;
  CHECK_THROWS_WITH(NMF<NoRegularizer<double>>(o).fit(Y, {}, [](double*, std::size_t) {}),
                    Catch::Matchers::Contains("rsvd cannot be split"));
}
