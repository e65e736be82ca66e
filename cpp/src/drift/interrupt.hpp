#pragma once
// Interrupt checks for long drift work (internal to the drift engine).
#include <omp.h>

#include <atomic>
#include <cstddef>

#include "assay/common/error.hpp"
#include "assay/common/progress.hpp"

namespace assay::drift {

// Lets parallel work ask a Progress whether to go on, at bounded work intervals. Only
// thread 0 of the team (the thread that started the call) runs the callback, as
// Progress requires; once it asks to stop, every thread throws Interrupted at its next
// poll, so the work after a stop request is at most one interval per thread.
class StopPoll {
 public:
  explicit StopPoll(const Progress& progress, std::size_t total = 0) : progress_(progress), total_(total) {}

  // Adds `work` units to the work done, then polls.
  void advance(std::size_t work) {
    done_.fetch_add(work, std::memory_order_relaxed);
    poll();
  }

  void poll() {
    if (stop_.load(std::memory_order_relaxed)) throw Interrupted();
    if (!progress_.active() || omp_get_thread_num() != 0) return;
    try {
      progress_.report(done_.load(std::memory_order_relaxed), total_);
    } catch (...) {  // Interrupted, or an error the callback raised: every thread stops
      stop_.store(true, std::memory_order_relaxed);
      throw;
    }
  }

  // The final report (from the calling thread, outside parallel regions).
  void finish() const { progress_.report(total_, total_); }

  std::size_t done() const { return done_.load(std::memory_order_relaxed); }

 private:
  const Progress& progress_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  std::atomic<bool> stop_{false};
};

// Values handled between two polls.
inline constexpr std::size_t kPollValues = std::size_t{1} << 20;

}  // namespace assay::drift
