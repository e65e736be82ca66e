#pragma once
// Parallel helpers. Every heavy call takes n_jobs (<= 0 means all cores, 1 serial),
// applied to its own OpenMP regions only; global thread state is never changed.
//
// Work is cut into fixed blocks that do not depend on the thread count, and results
// are reduced in block order, so results are the same for every n_jobs.
//
// Fork safety: GCC's OpenMP runtime (libgomp) keeps its worker threads in a pool that a
// child created by fork() inherits as bookkeeping only (the threads themselves are not
// copied), so the child's first parallel region waits forever for them. assay registers a
// pthread_atfork child handler: in a child forked after the parent started OpenMP threads,
// every parallel_for runs serially on the calling thread and never enters the runtime
// (not even a region with if(false) or one thread, which also waits for the pool). Code
// that opens an OpenMP region of its own must check openmp_unusable_after_fork() first.
// Results are the same (they never depend on the thread count); only speed differs.
#include <cstddef>
#include <exception>
#include <mutex>

namespace assay {

// The number of threads a call with this n_jobs uses (n_jobs <= 0: all cores); 1 in a
// process forked after its parent had started OpenMP threads.
int resolve_threads(int n_jobs);  // at most 4 threads per core

// True in a process forked after its parent had started OpenMP threads (see above).
bool openmp_unusable_after_fork();
// Records that this process is about to start OpenMP threads.
void note_openmp_threads_started();

// Calls body(i) for i in [0, n) on up to n_threads threads (dynamic schedule). The
// first exception thrown by any body is rethrown on the calling thread once all
// threads have finished; later iterations are skipped after it.
template <class Body>
void parallel_for(std::ptrdiff_t n, int n_threads, Body&& body) {
  if (n_threads <= 1 || n <= 1 || openmp_unusable_after_fork()) {
    for (std::ptrdiff_t i = 0; i < n; ++i) body(i);
    return;
  }
  note_openmp_threads_started();
  std::exception_ptr first_error;
  std::mutex error_mutex;
  bool failed = false;
#pragma omp parallel for schedule(dynamic, 1) num_threads(n_threads)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    bool skip;
#pragma omp atomic read
    skip = failed;
    if (skip) continue;
    try {
      body(i);
    } catch (...) {
      std::scoped_lock lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
#pragma omp atomic write
      failed = true;
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

// Number of blocks of block_size covering n items.
constexpr std::size_t n_blocks(std::size_t n, std::size_t block_size) { return (n + block_size - 1) / block_size; }

}  // namespace assay
