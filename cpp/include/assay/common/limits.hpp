#pragma once
// Size limits of every engine: a size the caller chooses (groups, bins, grid points,
// replicates, samples) is checked against the memory it needs BEFORE anything of that
// size is allocated, and refused with ResourceLimit naming the argument.
//
// The stated limit is half of the machine's physical memory (sysconf), so that one call
// cannot push the machine into swapping or the OOM killer. Byte counts are computed with
// saturating multiplication, so an absurd request cannot wrap around to a small number.
#include <cstdint>
#include <initializer_list>
#include <string>

namespace assay {

// Half of the physical memory, in bytes (at least 1 GiB if the size cannot be read).
std::uint64_t memory_limit();

// The product of the factors, or UINT64_MAX when it overflows.
std::uint64_t saturating_product(std::initializer_list<std::uint64_t> factors);
std::uint64_t saturating_sum(std::initializer_list<std::uint64_t> terms);

// Throws ResourceLimit("<argument>: <what> needs N bytes, more than the limit of M bytes
// (half the physical memory)") when bytes > memory_limit().
void require_fits(const std::string& argument, std::uint64_t bytes, const std::string& what);

}  // namespace assay
