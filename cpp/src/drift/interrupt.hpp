#pragma once
// Interrupt checks for long drift work (internal to the drift engine).
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
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
  bool active() const { return progress_.active(); }

 private:
  const Progress& progress_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  std::atomic<bool> stop_{false};
};

// Values handled between two polls.
inline constexpr std::size_t kPollValues = std::size_t{1} << 20;

// parallel_for (common/parallel.hpp) for tasks of very different sizes that poll: calls
// body(i) for i in [0, n) on up to n_threads threads, and once thread 0 has no task
// left it keeps polling (every 20 ms) until the other threads finish, so a stop request
// is seen while another thread is still in a long task. The first exception is rethrown
// after all threads have stopped; later tasks are skipped. Results are stored by the
// body per task, so they do not depend on the thread count.
template <class Body>
void parallel_polled(std::ptrdiff_t n, int n_threads, StopPoll& poll, Body&& body) {
  std::atomic<std::ptrdiff_t> next{0};
  std::atomic<int> finished{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto record = [&] {
    std::scoped_lock lock(error_mutex);
    if (!first_error) first_error = std::current_exception();
    failed.store(true);
  };
  const int threads = static_cast<int>(std::max<std::ptrdiff_t>(1, std::min<std::ptrdiff_t>(n_threads, n)));
  if (threads == 1 || openmp_unusable_after_fork()) {  // never enter the runtime (fork safety)
    for (std::ptrdiff_t i = 0; i < n; ++i) body(i);
    return;
  }
  note_openmp_threads_started();
#pragma omp parallel num_threads(threads)
  {
    const int team = omp_get_num_threads();
    while (!failed.load()) {
      const std::ptrdiff_t i = next.fetch_add(1);
      if (i >= n) break;
      try {
        body(i);
      } catch (...) {
        record();
      }
    }
    finished.fetch_add(1);
    if (omp_get_thread_num() == 0 && poll.active()) {
      while (finished.load() < team && !failed.load()) {
        try {
          poll.poll();
        } catch (...) {
          record();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace assay::drift
