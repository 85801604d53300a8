#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include <fusednmf/reducer.hpp>

using namespace fusednmf;
using Catch::Matchers::Contains;

TEST_CASE("reduce_sum hands the values to the Reducer, and an empty one means a single process", "[reducer]") {
  Eigen::MatrixXd values = Eigen::MatrixXd::Constant(2, 3, 1.5);
  detail::reduce_sum(Reducer{}, values);  // one process: the values are already the totals
  CHECK(values == Eigen::MatrixXd::Constant(2, 3, 1.5));
  // Three processes holding the same partial sums, as a Reducer sees them.
  int calls = 0;
  const Reducer three = [&](double* v, std::size_t count) {
    ++calls;
    for (std::size_t i = 0; i < count; ++i) v[i] *= 3;
  };
  detail::reduce_sum(three, values);
  CHECK(values == Eigen::MatrixXd::Constant(2, 3, 4.5));
  double one = 2;
  detail::reduce_sum(three, &one, 1);
  CHECK(one == 6);
  detail::reduce_sum(three, &one, 0);  // nothing to sum: no call, which every process skips alike
  Eigen::MatrixXd empty;
  detail::reduce_sum(three, empty);
  CHECK(calls == 2);
}

TEST_CASE("fail_together: every process learns of a failure, the failing one keeps its own error", "[reducer]") {
  // Two processes simulated by a Reducer that adds the other process's flag.
  double other = 0;
  ProcessGroup group{0, 2, [&](double* v, std::size_t) { v[0] += other; }};
  CHECK(group.root());
  int ran = 0;
  group.fail_together([&] { ++ran; });  // nobody failed
  CHECK(ran == 1);
  CHECK_THROWS_WITH(group.fail_together([] { throw std::runtime_error("chr9: no such chromosome"); }),
                    Contains("chr9: no such chromosome"));
  other = 1;  // the other process failed, this one did not
  CHECK_THROWS_WITH(group.fail_together([] {}), Contains("another process (MPI rank) reported an error"));
  // One process alone: its error is its own, and a success is a success.
  const ProcessGroup alone;
  CHECK_NOTHROW(alone.fail_together([] {}));
  CHECK_THROWS_WITH(alone.fail_together([] { throw std::invalid_argument("bad"); }), Contains("bad"));
}
