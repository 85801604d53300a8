#pragma once
// One thread or several for a fit's next sweep, chosen by timing both.
//
// Whether a fit of a few hundred thousand rows gains from a second thread depends on the
// machine's load more than on its size: on an idle 2-core machine two threads are 1.5x ahead
// from 30,000 rows of k = 10, but beside another program that holds a core they lose up to
// 100,000 rows and only win from 300,000 (benchmarks/README.md, "Threads"). No fixed threshold
// serves both, so between the two sizes the fit measures: a sweep on one thread, a sweep on all,
// then it runs the faster and times the other again every kProbeEvery sweeps, since a
// neighbour may come or go. A sweep's result is the same bytes on any thread count, so the
// choice changes the time and nothing else.
#include <algorithm>

namespace fusednmf::detail {

class SweepThreads {
 public:
  /// Sweeps between two measurements of the slower choice.
  static constexpr int kProbeEvery = 16;

  /// `fixed`: the threads of every sweep when timed_max <= 1; else each sweep runs on 1 or on
  /// timed_max threads.
  SweepThreads(int fixed, int timed_max) : fixed_(std::max(fixed, 1)), max_(timed_max) {}

  bool timed() const { return max_ > 1; }

  /// The threads of the coming sweep. The first sweep (from W = 0, cold caches) is not compared;
  /// the second runs on one thread, the third on all, and from then on the faster of the two
  /// latest measurements, except that every kProbeEvery-th sweep runs the other.
  int next() {
    if (!timed()) return fixed_;
    ++sweep_;
    if (sweep_ <= 2) {
      parallel_ = false;
    } else if (sweep_ == 3) {
      parallel_ = true;
    } else {
      const bool faster = seconds_[1] < seconds_[0];
      parallel_ = (sweep_ - 3) % kProbeEvery == 0 ? !faster : faster;
    }
    return parallel_ ? max_ : 1;
  }

  /// The wall time of the sweep next() was last called for.
  void record(double seconds) {
    if (timed() && sweep_ >= 2) seconds_[parallel_ ? 1 : 0] = seconds;
  }

 private:
  int fixed_, max_;
  int sweep_ = 0;
  bool parallel_ = false;
  double seconds_[2] = {0.0, 0.0};  // latest sweep on one thread, on max_
};

}  // namespace fusednmf::detail
