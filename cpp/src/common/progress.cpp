#include "assay/common/progress.hpp"

#include "assay/common/error.hpp"

namespace assay {

void Progress::report(std::size_t done, std::size_t total) const {
  if (callback_ && !callback_(done, total)) throw Interrupted();
}

}  // namespace assay
