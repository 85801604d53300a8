#pragma once
// The library's threads: a small pool of our own, not OpenMP.
//
// Why not OpenMP: an iteration of the engines opens dozens of short parallel loops, and a waiting
// OpenMP thread spins (libgomp's default). On a shared machine, where another job holds one of
// the cores, every loop's end then costs a scheduler time slice: the programs ran up to 25x slower
// than with one thread (issue 19, benchmarks/README.md "Threads"). Here a waiting thread spins for
// a few microseconds only, then sleeps on a condition variable, which frees its core for the
// thread that still has work. The pool also works in a consumer's build without -fopenmp.
//
// Results never depend on the thread count: parallel_for hands out indices, every caller stores
// its results per index and adds them in index order.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif
#ifdef _OPENMP  // only in a consumer's build with -fopenmp: keep Eigen's own products serial in here
#include <omp.h>
#endif

namespace fusednmf::detail {

/// How many cores this process may use: its CPU affinity mask (taskset, cpusets), capped by a
/// cgroup v2 CPU quota (a container's or a batch job's --cpus), at least 1.
inline int available_cores() {
  int cores = int(std::max(1u, std::thread::hardware_concurrency()));
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = std::max(1, CPU_COUNT(&set));
  if (std::FILE* f = std::fopen("/sys/fs/cgroup/cpu.max", "r")) {  // "max 100000" or "200000 100000"
    char quota[32] = {0};
    long period = 0;
    if (std::fscanf(f, "%31s %ld", quota, &period) == 2 && period > 0 && quota[0] != 'm') {
      const long q = std::atol(quota);
      if (q > 0) cores = std::min(cores, int(std::max(1L, (q + period - 1) / period)));
    }
    std::fclose(f);
  }
#endif
  return cores;
}

/// A hint to the core that this thread is spinning (x86 `pause`, Arm `yield`): it stays on its
/// core, unlike sched_yield, which next to a busy program hands the core over for a whole time
/// slice and so misses the next loop's start by milliseconds.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

/// Threads to use: the requested count, or every core this process may use when 0.
inline int resolve_threads(int requested) { return requested > 0 ? requested : available_cores(); }

inline int& thread_index_slot() {
  thread_local int index = 0;
  return index;
}

/// 0 on the calling thread, 1..threads-1 on the pool's workers, inside parallel_for's body: an
/// index into per-thread workspaces sized by the `threads` given to parallel_for.
inline int thread_index() { return thread_index_slot(); }

/// For the length of a loop body on this thread: thread_index() is `index`, and, in a build
/// with OpenMP, Eigen's products stay serial (Eigen would start a team of all cores inside every
/// body, and its blocking, hence its rounding, would follow the team's size).
class BodyScope {
 public:
  explicit BodyScope(int index) : outer_index_(thread_index_slot()) {
    thread_index_slot() = index;
#ifdef _OPENMP
    outer_threads_ = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
  }
  ~BodyScope() {
    thread_index_slot() = outer_index_;
#ifdef _OPENMP
    omp_set_num_threads(outer_threads_);
#endif
  }
  BodyScope(const BodyScope&) = delete;
  BodyScope& operator=(const BodyScope&) = delete;

 private:
  int outer_index_;
#ifdef _OPENMP
  int outer_threads_ = 1;
#endif
};

/// body(0), ..., body(count - 1) on this thread, with thread_index() 0.
template <class Body>
void serial_for(long count, Body& body) {
  BodyScope scope(0);
  for (long i = 0; i < count; ++i) body(i);
}

/// The process's workers. One parallel_for at a time uses them; a second one at the same time
/// (another thread of the program, or a nested call from a body) runs serially on its caller,
/// with the same results.
class ThreadPool {
 public:
  static ThreadPool& shared() {
    static ThreadPool* pool = [] {
#if defined(__linux__)
      // A forked child has the parent's memory but none of its threads: it starts a new pool
      // (the old one stays allocated, never touched again).
      pthread_atfork(nullptr, nullptr, [] { current() = new ThreadPool; });
#endif
      return current() = new ThreadPool;
    }();
    (void)pool;
    return *current();
  }

  /// Runs body(i) for i in [0, count) on up to `threads` threads, the caller one of them.
  template <class Body>
  void run(int threads, long count, Body& body) {
    if (in_pool_body()) return serial_for(count, body);  // nested: this thread may hold dispatch_
    std::unique_lock<std::mutex> busy(dispatch_, std::try_to_lock);
    if (!busy.owns_lock()) return serial_for(count, body);
    const int helpers = threads - 1;
    start_workers(helpers);
    Task task(&invoke<Body>, &body, count);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      task_helpers_ = helpers;
      pending_.store(helpers, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work_on(task, 0);
    // Wait for the helpers: spin briefly (a loop's end is usually microseconds away), then sleep.
    for (int spin = 0; spin < kSpins && pending_.load(std::memory_order_acquire) > 0; ++spin) cpu_relax();
    if (pending_.load(std::memory_order_acquire) > 0) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    if (task.failure) std::rethrow_exception(task.failure);
  }

 private:
  struct Task {
    Task(void (*call_)(void*, long), void* body_, long count_) : call(call_), body(body_), count(count_) {}
    void (*call)(void*, long);
    void* body;
    long count;
    std::atomic<long> next{0};
    std::mutex failure_mutex;
    std::exception_ptr failure;
  };

  template <class Body>
  static void invoke(void* body, long i) {
    (*static_cast<Body*>(body))(i);
  }

  static ThreadPool*& current() {
    static ThreadPool* pool = nullptr;
    return pool;
  }
  static bool& in_pool_body() {
    thread_local bool inside = false;
    return inside;
  }

  static void work_on(Task& task, int index) {
    BodyScope scope(index);
    in_pool_body() = true;
    for (long i; (i = task.next.fetch_add(1, std::memory_order_relaxed)) < task.count;) {
      try {
        task.call(task.body, i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(task.failure_mutex);
        if (!task.failure) task.failure = std::current_exception();
        task.next.store(task.count, std::memory_order_relaxed);  // hand out no more indices
      }
    }
    in_pool_body() = false;
  }

  void start_workers(int helpers) {
    while (int(workers_started_) < helpers) {
      const int index = int(++workers_started_);
      std::thread([this, index] { worker(index); }).detach();
    }
  }

  void worker(int index) {
    unsigned long seen = 0;
    for (;;) {
      Task* task = nullptr;
      // Spin briefly for the next loop (an engine's loops come a few microseconds apart), then sleep.
      for (int spin = 0; spin < kSpins && generation_.load(std::memory_order_acquire) == seen; ++spin) cpu_relax();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        seen = generation_.load(std::memory_order_relaxed);
        if (index > task_helpers_) continue;  // this loop uses fewer threads
        task = task_;
      }
      work_on(*task, index);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);  // the caller may be between its check and its wait
        done_.notify_one();
      }
    }
  }

  // Spins before sleeping: a few tens of microseconds (a `pause` takes 10-150 cycles).
  static constexpr int kSpins = 2000;

  std::mutex dispatch_;  // one loop at a time on the workers
  std::mutex mutex_;     // guards changes of generation_, task_, task_helpers_
  std::condition_variable wake_, done_;
  std::atomic<unsigned long> generation_{0};
  Task* task_ = nullptr;
  int task_helpers_ = 0;
  std::atomic<int> pending_{0};
  unsigned workers_started_ = 0;
};

/// Runs body(i) for i in [0, count) on `threads` threads (the caller and the pool's workers),
/// handing out indices one at a time. With results stored per index, the output is the same
/// whatever `threads` is. An exception from body stops the loop and is rethrown here.
template <class Body>
void parallel_for(int threads, long count, Body&& body) {
  if (count <= 0) return;
  threads = int(std::min<long>(threads, count));
  if (threads <= 1) return serial_for(count, body);
  ThreadPool::shared().run(threads, count, body);
}

}  // namespace fusednmf::detail
