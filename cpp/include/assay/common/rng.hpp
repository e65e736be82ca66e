#pragma once
// A counter-based random number generator: the stream for (seed, block) is a pure
// function of those two numbers, so a block of work draws the same numbers whichever
// thread runs it. Each draw is the SplitMix64 output function applied to a Weyl
// sequence started at a key mixed from (seed, block) (Steele, Lea & Flood, "Fast
// splittable pseudorandom number generators", OOPSLA 2014).
#include <cmath>
#include <cstdint>

namespace assay {

constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class CounterRng {
 public:
  CounterRng(std::uint64_t seed, std::uint64_t block)
      : state_(mix64(mix64(seed + 0x9e3779b97f4a7c15ULL) ^ (block * 0xd1b54a32d192ed03ULL + 1))) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0, without modulo bias (Lemire 2019).
  std::uint64_t below(std::uint64_t n) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  // Standard normal draw (Box-Muller; the second value is discarded to keep the
  // stream a function of the draw count only).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t state_;
};

}  // namespace assay
