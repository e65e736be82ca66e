// A process forked after its parent started OpenMP threads must not hang in its first
// parallel call (GCC's libgomp pool is not copied by fork; see common/parallel.hpp).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <vector>

#include "assay/common/parallel.hpp"

namespace {

long sum_in_parallel(int n_threads) {
  std::vector<long> values(10000);
  assay::parallel_for(static_cast<std::ptrdiff_t>(values.size()), n_threads,
                      [&](std::ptrdiff_t i) { values[static_cast<std::size_t>(i)] = i; });
  long total = 0;
  for (long v : values) total += v;
  return total;
}

}  // namespace

TEST(Fork, ChildAfterParallelCallRunsSeriallyAndFinishes) {
  const long expected = sum_in_parallel(2);  // starts the runtime's threads
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(60);  // a hang ends the child with SIGALRM instead of blocking the suite
    const bool ok = assay::resolve_threads(0) == 1 && sum_in_parallel(2) == expected && sum_in_parallel(0) == expected;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent keeps its threads.
  EXPECT_EQ(sum_in_parallel(2), expected);
  EXPECT_FALSE(assay::openmp_unusable_after_fork());
}

TEST(Parallel, ThreadCountIsCappedAtFourPerCore) {
  const int cores = assay::resolve_threads(0);
  EXPECT_EQ(assay::resolve_threads(1), 1);
  EXPECT_LE(assay::resolve_threads(1000000), 4 * cores);
  EXPECT_EQ(sum_in_parallel(1000), sum_in_parallel(1));
}
