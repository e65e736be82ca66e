#include "assay/common/parallel.hpp"

#include <omp.h>

namespace assay {

int resolve_threads(int n_jobs) {
  if (n_jobs > 0) return n_jobs;
  return omp_get_num_procs();
}

}  // namespace assay
