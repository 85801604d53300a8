#pragma once
// Several "processes" of one split fit, as threads of one test: a Reducer per party that sums
// the parties' arrays in place at a barrier, as MPI_Allreduce would (every party must call it the
// same number of times, with the same counts).
#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include <fusednmf/reducer.hpp>

namespace fusednmf::testing {

// Sums equal-length vectors from `parties` threads in place, in party order (deterministic).
class InProcessAllReduce {
 public:
  explicit InProcessAllReduce(int parties) : parties_(parties), inputs_(std::size_t(parties)) {}
  Reducer for_party(int party) {
    return [this, party](double* values, std::size_t count) {
      std::unique_lock<std::mutex> lock(mutex_);
      const long generation = generation_;
      inputs_[std::size_t(party)] = values;
      if (++arrived_ == parties_) {
        std::vector<double> total(count, 0.0);
        for (double* in : inputs_)
          for (std::size_t i = 0; i < count; ++i) total[i] += in[i];
        for (double* in : inputs_) std::copy(total.begin(), total.end(), in);
        arrived_ = 0;
        ++generation_;
        ++calls_;
        changed_.notify_all();
      } else {
        changed_.wait(lock, [&] { return generation_ != generation; });
      }
    };
  }
  long calls() const { return calls_; }

 private:
  int parties_, arrived_ = 0;
  long generation_ = 0, calls_ = 0;
  std::vector<double*> inputs_;
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace fusednmf::testing
