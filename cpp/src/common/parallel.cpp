#include "assay/common/parallel.hpp"

#include <omp.h>
#include <pthread.h>

#include <atomic>

namespace assay {

namespace {

std::atomic<bool> threads_started{false};
std::atomic<bool> unusable_after_fork{false};

// Runs in the child of every fork() (see parallel.hpp): once the parent has started
// OpenMP threads, the child's copy of the runtime's pool is unusable.
void on_fork_child() {
  if (threads_started.load(std::memory_order_relaxed)) unusable_after_fork.store(true, std::memory_order_relaxed);
}

}  // namespace

bool openmp_unusable_after_fork() { return unusable_after_fork.load(std::memory_order_relaxed); }

void note_openmp_threads_started() {
  // Registered once, before the first thread starts: a child forked earlier inherits no pool.
  static const bool fork_handler_registered = pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
  (void)fork_handler_registered;
  threads_started.store(true, std::memory_order_relaxed);
}

int resolve_threads(int n_jobs) {
  if (openmp_unusable_after_fork()) return 1;
  const int cores = omp_get_num_procs();
  if (n_jobs <= 0) return cores;
  // More threads than this only cost memory and start-up (and thousands can exhaust the
  // process's thread limit, which libgomp answers by aborting); results never depend on it.
  return n_jobs < 4 * cores ? n_jobs : 4 * cores;
}

}  // namespace assay
