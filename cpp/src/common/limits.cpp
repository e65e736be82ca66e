#include "assay/common/limits.hpp"

#include <unistd.h>

#include <limits>
#include <sstream>

#include "assay/common/error.hpp"

namespace assay {

namespace {
constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();

std::string gib(std::uint64_t bytes) {
  if (bytes == kSaturated) return "more than 2^64 bytes";
  std::ostringstream out;
  out.precision(3);
  out << static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0) << " GiB";
  return out.str();
}
}  // namespace

std::uint64_t memory_limit() {
  static const std::uint64_t limit = [] {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return std::uint64_t{1} << 30;
    return saturating_product({static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(page_size)}) / 2;
  }();
  return limit;
}

std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t product = 1;
  for (const std::uint64_t f : factors) {
    if (f == 0) return 0;
  }
  for (const std::uint64_t f : factors) {
    if (product > kSaturated / f) return kSaturated;
    product *= f;
  }
  return product;
}

std::uint64_t saturating_sum(std::initializer_list<std::uint64_t> terms) {
  std::uint64_t sum = 0;
  for (const std::uint64_t t : terms) {
    if (sum > kSaturated - t) return kSaturated;
    sum += t;
  }
  return sum;
}

void require_fits(const std::string& argument, std::uint64_t bytes, const std::string& what) {
  const std::uint64_t limit = memory_limit();
  if (bytes > limit) {
    throw ResourceLimit(argument + ": " + what + " needs " + gib(bytes) + ", more than the limit of " + gib(limit) +
                        " (half the physical memory); ask for less");
  }
}

}  // namespace assay
