// The thread pool behind every parallel loop (detail/parallel.hpp): each index runs exactly once,
// per-thread indices stay within the requested count, nested and concurrent loops run (serially),
// an exception reaches the caller, and a forked child can still run loops.
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fusednmf/detail/parallel.hpp"

using fusednmf::detail::parallel_for;
using fusednmf::detail::thread_index;

TEST_CASE("parallel_for runs every index once, with thread indices below the thread count", "[parallel]") {
  for (int threads : {1, 2, 3, 8}) {
    for (long count : {0L, 1L, 2L, 7L, 1000L}) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(count));
      std::atomic<int> bad_index{0};
      parallel_for(threads, count, [&](long i) {
        runs[std::size_t(i)].fetch_add(1);
        if (thread_index() < 0 || thread_index() >= threads) bad_index.fetch_add(1);
      });
      for (const auto& r : runs) REQUIRE(r.load() == 1);
      REQUIRE(bad_index.load() == 0);
    }
  }
}

TEST_CASE("a loop inside a loop runs serially with its own thread index 0", "[parallel]") {
  std::vector<long> sums(8, 0);
  std::atomic<int> bad_index{0};
  parallel_for(4, 8, [&](long i) {
    long s = 0;
    parallel_for(4, 100, [&](long j) {
      if (thread_index() != 0) bad_index.fetch_add(1);
      s += j;  // serial: no race
    });
    sums[std::size_t(i)] = s;
  });
  for (long s : sums) REQUIRE(s == 4950);
  REQUIRE(bad_index.load() == 0);
}

TEST_CASE("loops from two threads of the program at once both complete", "[parallel]") {
  std::vector<double> a(20000), b(20000);
  auto fill = [](std::vector<double>& v, double scale) {
    for (int round = 0; round < 50; ++round)
      parallel_for(2, long(v.size()), [&](long i) { v[std::size_t(i)] = scale * double(i); });
  };
  std::thread other([&] { fill(a, 2.0); });
  fill(b, 3.0);
  other.join();
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i] == 2.0 * double(i));
    REQUIRE(b[i] == 3.0 * double(i));
  }
}

TEST_CASE("an exception in a body reaches the caller, and the pool still works after it", "[parallel]") {
  REQUIRE_THROWS_AS(parallel_for(3, 100, [](long i) {
                      if (i == 57) throw std::runtime_error("body 57");
                    }),
                    std::runtime_error);
  std::atomic<long> total{0};
  parallel_for(3, 100, [&](long i) { total.fetch_add(i); });
  REQUIRE(total.load() == 4950);
}

TEST_CASE("a forked child runs parallel loops", "[parallel]") {
  std::atomic<long> warm{0};
  parallel_for(2, 10, [&](long i) { warm.fetch_add(i); });  // the parent's workers exist now
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::atomic<long> total{0};
    parallel_for(2, 1000, [&](long i) { total.fetch_add(i); });
    _exit(total.load() == 499500 ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("the default thread count is the cores this process may use", "[parallel]") {
  const int cores = fusednmf::detail::available_cores();
  REQUIRE(cores >= 1);
  REQUIRE(cores <= int(std::max(1u, std::thread::hardware_concurrency())));
  REQUIRE(fusednmf::detail::resolve_threads(0) == cores);
  REQUIRE(fusednmf::detail::resolve_threads(3) == 3);
#if defined(__linux__)
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  cpu_set_t saved;
  REQUIRE(sched_getaffinity(0, sizeof saved, &saved) == 0);
  if (CPU_ISSET(0, &saved) && sched_setaffinity(0, sizeof one, &one) == 0) {
    CHECK(fusednmf::detail::available_cores() == 1);
    REQUIRE(sched_setaffinity(0, sizeof saved, &saved) == 0);
  }
#endif
}
