// The thread pool behind every parallel loop (detail/parallel.hpp): each index runs exactly once,
// per-thread indices stay within the requested count, nested and concurrent loops run (serially),
// an exception reaches the caller, and a forked child can still run loops; and SweepThreads's
// choice between one thread and all by their measured sweeps.
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fusednmf/detail/parallel.hpp"
#include "fusednmf/detail/sweep_threads.hpp"

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

TEST_CASE("SweepThreads: one thread, then all, then the faster, with the slower timed again "
          "every kProbeEvery sweeps", "[parallel]") {
  using fusednmf::detail::SweepThreads;
  SweepThreads fixed(3, 1);
  for (int s = 0; s < 40; ++s) {
    REQUIRE(fixed.next() == 3);
    fixed.record(s);  // ignored
  }
  // seconds(threads, sweep index) -> the threads each of `sweeps` sweeps ran on.
  auto run = [](auto seconds, int sweeps) {
    SweepThreads pace(1, 2);
    std::vector<int> used;
    for (int s = 0; s < sweeps; ++s) {
      used.push_back(pace.next());
      pace.record(seconds(used.back(), s));
    }
    return used;
  };
  const int probe = SweepThreads::kProbeEvery;
  auto is_probe = [probe](int s) { return s > 2 && (s - 2) % probe == 0; };  // sweep indices 18, 34, 50
  const auto fast = run([](int threads, int) { return threads == 1 ? 1.0 : 0.5; }, 60);
  const auto slow = run([](int threads, int) { return threads == 1 ? 1.0 : 2.0; }, 60);
  for (int s = 0; s < 60; ++s) {
    INFO("sweep index " << s);
    const int expected_fast = s < 2 ? 1 : s == 2 ? 2 : is_probe(s) ? 1 : 2;
    const int expected_slow = s < 2 ? 1 : s == 2 ? 2 : is_probe(s) ? 2 : 1;
    CHECK(fast[std::size_t(s)] == expected_fast);
    CHECK(slow[std::size_t(s)] == expected_slow);
  }
  // A neighbour takes a core at sweep index 20: the next sweep is back on one thread, and the
  // probes keep it there while two threads stay slower.
  const auto neighbour = run([](int threads, int s) { return threads == 1 ? 1.0 : (s < 20 ? 0.5 : 2.0); }, 60);
  CHECK(neighbour[19] == 2);
  CHECK(neighbour[20] == 2);
  for (int s = 21; s < 60; ++s) CHECK(neighbour[std::size_t(s)] == (is_probe(s) ? 2 : 1));
}
