// Model-agnostic Shapley values: coalition designs, masking, background means, the
// exact Shapley sum and the KernelSHAP least squares. See agnostic.hpp.
#include "assay/explain/agnostic.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "kernel_solver.hpp"

namespace assay::explain {

namespace {

using detail::Matrix;

// The product of sizes, or ResourceLimit naming `what` when it does not fit in int64 (the
// checks below compare sizes in int64; a wrapped product must never pass as a match).
std::int64_t checked_size(std::initializer_list<std::int64_t> factors, const char* what) {
  std::int64_t result = 1;
  for (const std::int64_t factor : factors) {
    if (factor < 0) throw InvalidArgument(std::string(what) + ": negative size");
    if (__builtin_mul_overflow(result, factor, &result)) {
      throw ResourceLimit(std::string(what) + ": the size overflows 64-bit integers");
    }
  }
  return result;
}

double binomial(std::int32_t n, std::int32_t k) {
  double result = 1.0;
  for (std::int32_t i = 1; i <= k; ++i) result = result * (n - k + i) / i;
  return result;
}

// Collects coalitions, merging duplicates (the weight then counts the draws).
class DesignBuilder {
 public:
  DesignBuilder(std::int32_t n_features, const Progress& progress, std::int64_t budget)
      : progress_(progress), budget_(static_cast<std::size_t>(std::max<std::int64_t>(budget, 0))) {
    design_.n_features = n_features;
  }

  // Returns true when the mask was new. Every 2^16 calls, reports (coalitions so far,
  // budget) so that a caller can interrupt a large design while it is drawn.
  bool add(const std::vector<std::uint8_t>& mask, double weight, std::int32_t group) {
    if (progress_.active() && (++calls_ & 0xFFFF) == 0) progress_.report(design_.size(), budget_);
    std::string key(mask.begin(), mask.end());
    auto [it, inserted] = index_.try_emplace(std::move(key), static_cast<std::int64_t>(design_.weights.size()));
    if (!inserted) {
      design_.weights[it->second] += weight;
      return false;
    }
    design_.masks.insert(design_.masks.end(), mask.begin(), mask.end());
    design_.weights.push_back(weight);
    design_.groups.push_back(group);
    return true;
  }
  CoalitionDesign& design() { return design_; }

 private:
  CoalitionDesign design_;
  std::unordered_map<std::string, std::int64_t> index_;
  const Progress& progress_;
  std::size_t budget_ = 0;
  std::uint64_t calls_ = 0;
};

// Calls visit(mask) for every subset of {0..M-1} of the given size (lexicographic).
template <class Visit>
void for_each_subset(std::int32_t n_features, std::int32_t size, Visit&& visit) {
  std::vector<std::int32_t> chosen(size);
  for (std::int32_t i = 0; i < size; ++i) chosen[i] = i;
  std::vector<std::uint8_t> mask(n_features);
  while (true) {
    std::fill(mask.begin(), mask.end(), 0);
    for (std::int32_t i : chosen) mask[i] = 1;
    visit(mask);
    std::int32_t i = size - 1;
    while (i >= 0 && chosen[i] == n_features - size + i) --i;
    if (i < 0) return;
    ++chosen[i];
    for (std::int32_t j = i + 1; j < size; ++j) chosen[j] = chosen[j - 1] + 1;
  }
}

std::vector<std::uint8_t> complement(const std::vector<std::uint8_t>& mask) {
  std::vector<std::uint8_t> result(mask.size());
  for (std::size_t i = 0; i < mask.size(); ++i) result[i] = mask[i] ? 0 : 1;
  return result;
}

// Draws per RNG block: the stream of draw d comes from CounterRng(seed, d / kDrawsPerBlock).
constexpr std::int64_t kDrawsPerBlock = 256;

}  // namespace

CoalitionDesign gray_code_coalitions(std::int32_t n_features) {
  if (n_features < 0 || n_features > 30) {
    throw InvalidArgument("n_features: exact enumeration needs 0 to 30 features, got " + std::to_string(n_features));
  }
  CoalitionDesign design;
  design.n_features = n_features;
  design.exact = true;
  const std::uint64_t count = std::uint64_t{1} << n_features;
  design.masks.resize(count * n_features);
  for (std::uint64_t k = 0; k < count; ++k) {
    const std::uint64_t gray = k ^ (k >> 1);
    for (std::int32_t j = 0; j < n_features; ++j) design.masks[k * n_features + j] = (gray >> j) & 1;
  }
  design.weights.assign(count, 0.0);
  design.groups.assign(count, -1);
  return design;
}

CoalitionDesign kernel_coalitions(std::int32_t n_features, std::int64_t budget, std::uint64_t seed,
                                  std::int32_t n_groups, Sampling sampling, const Progress& progress) {
  const std::int32_t M = n_features;
  if (M < 1) throw InvalidArgument("n_features: KernelSHAP needs at least one feature");
  if (n_groups < 2) throw InvalidArgument("n_groups: need at least 2 jackknife groups");
  DesignBuilder builder(M, progress, budget);
  CoalitionDesign& design = builder.design();
  if (M == 1) {  // no coalition strictly between empty and full: the constraint decides
    design.exact = true;
    return design;
  }
  if (budget < 2) throw InvalidArgument("nsamples: need at least 2 coalitions, got " + std::to_string(budget));
  // Refuse, before drawing, a design that cannot fit: its masks, weights and groups, and
  // the index of distinct coalitions kept while drawing (about 2M + 108 bytes each).
  const std::int64_t coalitions = M <= 62 ? std::min<std::int64_t>(budget, (std::int64_t{1} << M) - 2) : budget;
  checked_size({budget, 4}, "nsamples");
  require_fits(
      "nsamples", saturating_product({static_cast<std::uint64_t>(coalitions), 2 * static_cast<std::uint64_t>(M) + 108}),
      "a KernelSHAP design of " + std::to_string(coalitions) + " coalitions of " + std::to_string(M) + " features");
  const bool all_fit = M <= 30 && budget >= (std::int64_t{1} << M) - 2;
  if (all_fit) {
    const std::uint64_t count = std::uint64_t{1} << M;
    std::vector<std::uint8_t> mask(M);
    for (std::uint64_t bits = 1; bits + 1 < count; ++bits) {
      const auto size = static_cast<std::int32_t>(std::popcount(bits));
      for (std::int32_t j = 0; j < M; ++j) mask[j] = (bits >> j) & 1;
      builder.add(mask, (M - 1) / (binomial(M, size) * size * (M - size)), -1);
    }
    design.exact = true;
    return design;
  }
  // Kernel mass of each size class s = 1..n_sizes: sizes s and M-s together.
  const std::int32_t n_sizes = M / 2;  // = ceil((M-1)/2)
  const std::int32_t n_paired = (M - 1) / 2;
  std::vector<double> mass(n_sizes + 1, 0.0);
  double total = 0.0;
  for (std::int32_t s = 1; s <= n_sizes; ++s) {
    mass[s] = (M - 1.0) / (s * double(M - s)) * (s <= n_paired ? 2.0 : 1.0);
    total += mass[s];
  }
  for (double& m : mass) m /= total;
  // Enumerate whole size classes from both ends while they fit the budget.
  std::int64_t left = budget;
  double remaining_mass = 1.0;
  std::int32_t first_sampled = n_sizes + 1;
  for (std::int32_t s = 1; s <= n_sizes; ++s) {
    const double count = binomial(M, s) * (s <= n_paired ? 2.0 : 1.0);
    if (left * (mass[s] / remaining_mass) / count < 1.0 - 1e-8) {
      first_sampled = s;
      break;
    }
    const double weight = mass[s] / count;  // the normalised Shapley kernel
    for_each_subset(M, s, [&](const std::vector<std::uint8_t>& mask) {
      builder.add(mask, weight, -1);
      if (s <= n_paired) builder.add(complement(mask), weight, -1);
    });
    left -= static_cast<std::int64_t>(count);
    remaining_mass -= mass[s];
  }
  if (first_sampled > n_sizes || left < 2) return design;
  // Paired sampling of the other size classes, a class with probability proportional
  // to its kernel mass (or, for leverage sampling, to the number of sizes it holds);
  // each draw of S also adds its complement, and is weighted by kernel mass over
  // probability (constant for kernel sampling).
  std::vector<double> probability(n_sizes + 1, 0.0), cumulative;
  for (std::int32_t s = first_sampled; s <= n_sizes; ++s) {
    probability[s] = sampling == Sampling::kernel ? mass[s] : (s <= n_paired ? 2.0 : 1.0);
    cumulative.push_back((cumulative.empty() ? 0.0 : cumulative.back()) + probability[s]);
  }
  const std::size_t first_sampled_index = design.size();
  std::vector<std::int32_t> order(M);
  std::vector<std::uint8_t> mask(M);
  std::int64_t new_pairs = 0, draws = 0;
  const std::int64_t max_draws = 4 * budget;
  CounterRng rng(seed, 0);
  for (; draws < max_draws && left >= 2; ++draws) {
    const std::int64_t draw = draws;
    if (draw % kDrawsPerBlock == 0) rng = CounterRng(seed, static_cast<std::uint64_t>(draw / kDrawsPerBlock));
    const double u = rng.uniform() * cumulative.back();
    const auto cls =
        static_cast<std::int32_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
    const std::int32_t size =
        first_sampled + std::min<std::int32_t>(cls, static_cast<std::int32_t>(cumulative.size()) - 1);
    // A uniform subset of that size: the first `size` entries of a partial Fisher-Yates shuffle.
    for (std::int32_t j = 0; j < M; ++j) order[j] = j;
    for (std::int32_t j = 0; j < size; ++j) std::swap(order[j], order[j + static_cast<std::int32_t>(rng.below(M - j))]);
    std::fill(mask.begin(), mask.end(), 0);
    for (std::int32_t j = 0; j < size; ++j) mask[order[j]] = 1;
    const auto group = static_cast<std::int32_t>(new_pairs % n_groups);
    const bool added = builder.add(mask, 0.0, group);
    builder.add(complement(mask), 0.0, group);
    if (added) {  // the complement was new too (both are always added together)
      left -= 2;
      ++new_pairs;
    }
  }
  // Each sampled coalition's weight: its kernel weight over the probability that its
  // pair {S, N\S} was drawn at least once in the `draws` draws (the "c-kernel" of
  // Olsen & Jullum 2024, "Improving the sampling strategy in KernelSHAP"), rather than
  // its number of draws: unbiased over which pairs appear, and without the extra
  // variance of the draw counts.
  const double probability_total = cumulative.back();
  for (std::size_t c = first_sampled_index; c < design.size(); ++c) {
    const std::uint8_t* mask = design.masks.data() + c * M;
    const auto size = static_cast<std::int32_t>(std::count(mask, mask + M, std::uint8_t{1}));
    const std::int32_t cls = std::min(size, M - size);
    // A draw picks the class, then one of its C(M, cls) subsets of size cls: the pair is hit
    // by S or by its complement, which for the middle class of an even M are two subsets.
    const double hit = probability[cls] / probability_total / binomial(M, cls) * (cls <= n_paired ? 1.0 : 2.0);
    const double drawn_at_least_once = -std::expm1(double(draws) * std::log1p(-hit));
    design.weights[c] = mass[cls] / (binomial(M, cls) * (cls <= n_paired ? 2.0 : 1.0)) / drawn_at_least_once;
  }
  // Scale the sampled weights to the kernel mass of the sampled classes.
  double drawn = 0.0;
  for (std::size_t c = first_sampled_index; c < design.size(); ++c) drawn += design.weights[c];
  for (std::size_t c = first_sampled_index; c < design.size(); ++c) design.weights[c] *= remaining_mass / drawn;
  design.n_groups = static_cast<std::int32_t>(std::min<std::int64_t>(n_groups, new_pairs));
  return design;
}

CoalitionDesign kernel_coalitions_per_background(std::int32_t n_features, std::int64_t budget, std::uint64_t seed,
                                                 std::int32_t n_background, std::int32_t n_groups, Sampling sampling,
                                                 const Progress& progress) {
  if (n_background < 1) throw InvalidArgument("data: need at least one background row");
  CoalitionDesign all;
  all.n_features = n_features;
  all.exact = true;
  for (std::int32_t b = 0; b < n_background; ++b) {
    const CoalitionDesign one =
        kernel_coalitions(n_features, budget, mix64(seed ^ (0x9e3779b97f4a7c15ULL * (std::uint64_t(b) + 1))), n_groups,
                          sampling, progress);
    all.masks.insert(all.masks.end(), one.masks.begin(), one.masks.end());
    all.weights.insert(all.weights.end(), one.weights.begin(), one.weights.end());
    all.groups.insert(all.groups.end(), one.groups.begin(), one.groups.end());
    all.background_of.insert(all.background_of.end(), one.size(), b);
    all.n_groups = std::max(all.n_groups, one.n_groups);
    all.exact = all.exact && one.exact;
  }
  return all;
}

void fill_masked_rows_per_background(std::span<const double> X, std::span<const double> background,
                                     const CoalitionDesign& design, std::int64_t item_begin, std::int64_t item_end,
                                     std::span<double> out) {
  const std::int64_t M = design.n_features;
  const auto n_coalitions = static_cast<std::int64_t>(design.size());
  const std::int64_t n_rows = static_cast<std::int64_t>(X.size()) / M;
  const std::int64_t n_background = static_cast<std::int64_t>(background.size()) / M;
  if (!design.per_background() || n_coalitions < 1) throw InvalidArgument("design: not a per-background design");
  if (item_begin < 0 || item_end < item_begin || item_end > checked_size({n_rows, n_coalitions}, "X")) {
    throw InvalidArgument("item range [" + std::to_string(item_begin) + ", " + std::to_string(item_end) +
                          ") outside the (row, coalition) grid");
  }
  if (static_cast<std::int64_t>(out.size()) != checked_size({item_end - item_begin, M}, "out")) {
    throw InvalidArgument("out: wrong size for the masked rows");
  }
  for (std::int64_t item = item_begin; item < item_end; ++item) {
    const std::int64_t coalition = item % n_coalitions;
    const std::int64_t b = design.background_of[coalition];
    if (b >= n_background) throw InvalidArgument("design: made for more background rows than data has");
    const double* x = X.data() + (item / n_coalitions) * M;
    const double* source = background.data() + b * M;
    const std::uint8_t* mask = design.masks.data() + coalition * M;
    double* row = out.data() + (item - item_begin) * M;
    for (std::int64_t j = 0; j < M; ++j) row[j] = mask[j] ? x[j] : source[j];
  }
}

void fill_masked_rows(std::span<const double> X, std::span<const double> background, std::int32_t n_features,
                      std::span<const std::uint8_t> masks, std::int64_t item_begin, std::int64_t item_end,
                      std::span<double> out, int n_jobs) {
  const std::int64_t M = n_features;
  if (M < 1) throw InvalidArgument("n_features: need at least one feature");
  const std::int64_t n_coalitions = static_cast<std::int64_t>(masks.size()) / M;
  const std::int64_t n_rows = static_cast<std::int64_t>(X.size()) / M;
  const std::int64_t n_background = static_cast<std::int64_t>(background.size()) / M;
  if (n_coalitions < 1 || n_background < 1) throw InvalidArgument("masks and background must not be empty");
  if (item_begin < 0 || item_end < item_begin || item_end > checked_size({n_rows, n_coalitions}, "X")) {
    throw InvalidArgument("item range [" + std::to_string(item_begin) + ", " + std::to_string(item_end) +
                          ") outside the (row, coalition) grid");
  }
  if (static_cast<std::int64_t>(out.size()) != checked_size({item_end - item_begin, n_background, M}, "out")) {
    throw InvalidArgument("out: wrong size for the masked rows");
  }
  // Blocks of items. A masked row is the background row with the coalition's columns
  // from x, or equally x with the other columns from the background row: each item
  // copies whole rows from the side that supplies more columns and patches the fewer
  // others (listed once per item, so the loop over background rows has no branch).
  // KernelSHAP designs are mostly coalitions near the empty or the full set, so the
  // patches are short. Nothing is computed over the whole design, so a call for a few
  // items costs only those items.
  constexpr std::int64_t kItemsPerBlock = 16;
  const std::int64_t n_items = item_end - item_begin;
  parallel_for(static_cast<std::ptrdiff_t>(n_blocks(n_items, kItemsPerBlock)), resolve_threads(n_jobs),
               [&](std::ptrdiff_t block) {
                 std::vector<std::int32_t> from_x(M), from_background(M);
                 const std::int64_t end = std::min(n_items, (block + 1) * kItemsPerBlock);
                 for (std::int64_t i = block * kItemsPerBlock; i < end; ++i) {
                   const std::int64_t item = item_begin + i;
                   const double* x = X.data() + (item / n_coalitions) * M;
                   const std::uint8_t* mask = masks.data() + (item % n_coalitions) * M;
                   std::int64_t n_from_x = 0, n_from_background = 0;
                   for (std::int32_t j = 0; j < M; ++j) {
                     if (mask[j]) {
                       from_x[n_from_x++] = j;
                     } else {
                       from_background[n_from_background++] = j;
                     }
                   }
                   double* target = out.data() + i * n_background * M;
                   if (n_from_x <= n_from_background) {
                     std::copy(background.begin(), background.end(), target);
                     for (std::int64_t b = 0; b < n_background; ++b) {
                       double* row = target + b * M;
                       for (std::int64_t c = 0; c < n_from_x; ++c) row[from_x[c]] = x[from_x[c]];
                     }
                   } else {
                     for (std::int64_t b = 0; b < n_background; ++b) {
                       double* row = target + b * M;
                       const double* source = background.data() + b * M;
                       std::copy(x, x + M, row);
                       for (std::int64_t c = 0; c < n_from_background; ++c)
                         row[from_background[c]] = source[from_background[c]];
                     }
                   }
                 }
               });
}

double apply_link(double mean, Link link) {
  if (link == Link::identity) return mean;
  if (!(mean > 0.0 && mean < 1.0)) {
    throw InvalidArgument("link: 'logit' needs model outputs that average strictly between 0 and 1, got " +
                          std::to_string(mean));
  }
  return std::log(mean / (1.0 - mean));
}

void coalition_values(std::span<const double> outputs, std::int64_t n_items, std::int32_t n_background,
                      std::int32_t n_outputs, std::span<const double> weights, Link link, std::span<double> out) {
  const std::int64_t K = n_outputs;
  if (n_background < 1 || K < 1) throw InvalidArgument("n_background and n_outputs must be positive");
  if (static_cast<std::int64_t>(outputs.size()) != checked_size({n_items, n_background, K}, "model output")) {
    throw InvalidArgument("model: returned " + std::to_string(outputs.size()) + " values, expected " +
                          std::to_string(n_items * n_background * K));
  }
  if (static_cast<std::int64_t>(out.size()) != checked_size({n_items, K}, "out"))
    throw InvalidArgument("out: wrong size");
  if (!weights.empty() && static_cast<std::int64_t>(weights.size()) != n_background) {
    throw InvalidArgument("data_weights: expected one weight per background row");
  }
  // Weights normalised to sum 1 first (scaled by the largest, so the sum cannot overflow):
  // then every partial sum of w_b f_b is at most max |f| and the mean of finite outputs is
  // finite.
  std::vector<double> share(n_background, 1.0 / static_cast<double>(n_background));
  if (!weights.empty()) {
    double largest = 0.0;
    for (double w : weights) {
      if (!(std::isfinite(w) && w >= 0.0)) throw InvalidArgument("data_weights: must be finite and non-negative");
      largest = std::max(largest, w);
    }
    if (!(largest > 0.0)) throw InvalidArgument("data_weights: must not be all zero");
    double sum = 0.0;
    for (double w : weights) sum += w / largest;
    for (std::int64_t b = 0; b < n_background; ++b) share[b] = weights[b] / largest / sum;
  }
  for (std::int64_t item = 0; item < n_items; ++item) {
    for (std::int64_t k = 0; k < K; ++k) {
      double mean = 0.0;
      for (std::int64_t b = 0; b < n_background; ++b) {
        const double f = outputs[(item * n_background + b) * K + k];
        if (!std::isfinite(f))
          throw InvalidArgument("model: returned a non-finite output (NaN or inf) for a masked row");
        mean += share[b] * f;
      }
      if (!std::isfinite(mean)) {  // only by rounding, with outputs at the largest doubles
        throw InvalidArgument("model: the mean output over the background overflows; scale the model's output down");
      }
      out[item * K + k] = apply_link(mean, link);
    }
  }
}

void exact_shapley_values(const CoalitionDesign& design, std::span<const double> values, std::int64_t n_rows,
                          std::int32_t n_outputs, std::span<double> out, int n_jobs) {
  const std::int32_t M = design.n_features;
  const std::int64_t K = n_outputs;
  const auto n_coalitions = static_cast<std::int64_t>(design.size());
  if (M < 1 || n_coalitions != (std::int64_t{1} << M)) throw InvalidArgument("design: not a full Gray-code design");
  if (static_cast<std::int64_t>(values.size()) != checked_size({n_rows, n_coalitions, K}, "values")) {
    throw InvalidArgument("values: wrong size");
  }
  if (static_cast<std::int64_t>(out.size()) != checked_size({n_rows, M, K}, "out"))
    throw InvalidArgument("out: wrong size");
  // c(s) = s!(M-s-1)!/M! = 1 / (M C(M-1, s)): the weight of a coalition of size s
  // not containing the feature.
  std::vector<double> coefficient(M);
  for (std::int32_t s = 0; s < M; ++s) coefficient[s] = 1.0 / (M * binomial(M - 1, s));
  std::vector<std::int32_t> sizes(n_coalitions);
  for (std::int64_t c = 0; c < n_coalitions; ++c) {
    sizes[c] =
        static_cast<std::int32_t>(std::count(design.masks.begin() + c * M, design.masks.begin() + (c + 1) * M, 1));
  }
  parallel_for(static_cast<std::ptrdiff_t>(n_rows), resolve_threads(n_jobs), [&](std::ptrdiff_t row) {
    double* phi = out.data() + row * M * K;
    std::fill(phi, phi + M * K, 0.0);
    for (std::int64_t c = 0; c < n_coalitions; ++c) {
      const std::uint8_t* mask = design.masks.data() + c * M;
      const std::int32_t s = sizes[c];
      const double with = s > 0 ? coefficient[s - 1] : 0.0;
      const double without = s < M ? coefficient[s] : 0.0;
      const double* v = values.data() + (row * n_coalitions + c) * K;
      for (std::int32_t i = 0; i < M; ++i) {
        const double factor = mask[i] ? with : -without;
        for (std::int64_t k = 0; k < K; ++k) phi[i * K + k] += factor * v[k];
      }
    }
  });
}

detail::GroupSlots detail::group_slots(const CoalitionDesign& design) {
  const auto C = static_cast<std::int64_t>(design.size());
  GroupSlots slots;
  slots.n_groups = design.exact ? 0 : design.n_groups;
  slots.order.resize(C);
  for (std::int64_t c = 0; c < C; ++c) slots.order[c] = c;
  std::stable_sort(slots.order.begin(), slots.order.end(),
                   [&](std::int64_t a, std::int64_t b) { return design.groups[a] < design.groups[b]; });
  slots.start.assign(slots.n_groups + 2, 0);
  for (std::int64_t c = 0; c < C; ++c) {
    const std::int32_t g = design.groups[c];
    if (g >= slots.n_groups) {
      throw InvalidArgument("design: coalition group " + std::to_string(g) + " outside the design's groups");
    }
    ++slots.start[g < 0 ? 1 : g + 2];  // counts, shifted by one for the prefix sum below
  }
  for (std::int32_t slot = 1; slot <= slots.n_groups + 1; ++slot) slots.start[slot] += slots.start[slot - 1];
  return slots;
}

void kernel_shap_values(const CoalitionDesign& design, std::span<const double> values, std::span<const double> full,
                        std::span<const double> empty, std::int64_t n_rows, std::int32_t n_outputs,
                        std::span<double> out, std::span<double> standard_errors, int n_jobs, const Progress& progress,
                        const L1Regularization& l1_reg) {
  const std::int64_t M = design.n_features;
  const std::int64_t K = n_outputs;
  const auto C = static_cast<std::int64_t>(design.size());
  detail::check_l1_regularization(l1_reg);
  if (M < 1 || K < 1) throw InvalidArgument("design: needs at least one feature and one output");
  if (static_cast<std::int64_t>(values.size()) != checked_size({n_rows, C, K}, "values"))
    throw InvalidArgument("values: wrong size");
  if (static_cast<std::int64_t>(full.size()) != n_rows * K) throw InvalidArgument("full: wrong size");
  if (static_cast<std::int64_t>(empty.size()) != K) throw InvalidArgument("empty: wrong size");
  if (static_cast<std::int64_t>(out.size()) != checked_size({n_rows, M, K}, "out") ||
      standard_errors.size() != out.size()) {
    throw InvalidArgument("out: wrong size");
  }
  if (M == 1) {  // efficiency alone: phi = v(N) - v0
    for (std::int64_t r = 0; r < n_rows; ++r) {
      for (std::int64_t k = 0; k < K; ++k) {
        out[r * K + k] = full[r * K + k] - empty[k];
        standard_errors[r * K + k] = 0.0;
      }
    }
    return;
  }
  if (l1_reg.selection != Selection::none) {
    detail::kernel_shap_values_selected(design, values, full, empty, n_rows, n_outputs, out, standard_errors, n_jobs,
                                        progress, l1_reg);
    return;
  }
  const detail::GroupSlots slots = detail::group_slots(design);
  const std::int32_t G = slots.n_groups;
  const std::vector<std::int64_t>& order = slots.order;
  // Eliminating the last feature: D = Z[:, :M-1] - Z[:, M-1], weighted transpose WD^T.
  const std::int64_t P = M - 1;
  Matrix D(C, P);
  Matrix weighted_transpose(P, C);
  for (std::int64_t p = 0; p < C; ++p) {
    const std::uint8_t* mask = design.masks.data() + order[p] * M;
    const double w = design.weights[order[p]];
    for (std::int64_t j = 0; j < P; ++j) {
      D(p, j) = double(mask[j]) - double(mask[M - 1]);
      weighted_transpose(j, p) = w * D(p, j);
    }
  }
  using detail::regular;
  // Products W D^T X over the coalitions, split by group slot: the enumerated part, each
  // sampled group's part and their total. A jackknife replicate drops group g and
  // scales the other sampled groups by G/(G-1) so that they keep their kernel mass.
  struct GroupedProducts {
    Matrix enumerated, total;
    std::vector<Matrix> groups;
    Matrix without(std::int32_t g, double scale) const { return enumerated + scale * (total - enumerated - groups[g]); }
  };
  auto grouped_products = [&](const Matrix& right) {
    auto slot_product = [&](std::int32_t slot) {
      const std::int64_t start = slots.begin(slot), length = slots.length(slot);
      return Matrix(weighted_transpose.middleCols(start, length) * right.middleRows(start, length));
    };
    GroupedProducts products{slot_product(0), Matrix(), {}};
    products.total = products.enumerated;
    for (std::int32_t g = 0; g < G; ++g) {
      products.groups.push_back(slot_product(g + 1));
      products.total += products.groups.back();
    }
    return products;
  };
  const GroupedProducts normal = grouped_products(D);
  const Eigen::LDLT<Matrix> solver_total(normal.total);
  if (!regular(solver_total)) {
    throw InvalidArgument("nsamples: the " + std::to_string(C) + " coalitions do not determine the " +
                          std::to_string(M) + " values (singular least squares); raise nsamples");
  }
  const double scale = G > 1 ? double(G) / (G - 1) : 0.0;
  std::vector<Eigen::LDLT<Matrix>> solver_without;
  bool replicates_ok = G > 1;
  for (std::int32_t g = 0; g < G && replicates_ok; ++g) {
    solver_without.emplace_back(normal.without(g, scale));
    replicates_ok = regular(solver_without.back());
  }
  constexpr std::int64_t kRowsPerBlock = 32;
  std::atomic<std::size_t> rows_done{0};
  parallel_for(
      static_cast<std::ptrdiff_t>(n_blocks(n_rows, kRowsPerBlock)), resolve_threads(n_jobs), [&](std::ptrdiff_t block) {
        const std::int64_t row_begin = block * kRowsPerBlock, row_end = std::min(n_rows, row_begin + kRowsPerBlock);
        const std::int64_t width = (row_end - row_begin) * K;
        // Targets y'_c = v(S_c) - v0 - z_{c,M-1} delta, one column per (row, output).
        Matrix target(C, width);
        Eigen::RowVectorXd delta(width);
        for (std::int64_t r = row_begin; r < row_end; ++r) {
          for (std::int64_t k = 0; k < K; ++k) delta((r - row_begin) * K + k) = full[r * K + k] - empty[k];
        }
        for (std::int64_t p = 0; p < C; ++p) {
          const double last = design.masks[order[p] * M + M - 1];
          for (std::int64_t r = row_begin; r < row_end; ++r) {
            for (std::int64_t k = 0; k < K; ++k) {
              const std::int64_t col = (r - row_begin) * K + k;
              target(p, col) = values[(r * C + order[p]) * K + k] - empty[k] - last * delta(col);
            }
          }
        }
        const GroupedProducts rhs = grouped_products(target);
        // phi for all columns from beta: the first M-1 values, then delta - sum(beta).
        auto attributions = [&](const Matrix& beta) {
          Matrix phi(M, width);
          phi.topRows(P) = beta;
          phi.row(P) = delta - beta.colwise().sum();
          return phi;
        };
        const Matrix phi = attributions(solver_total.solve(rhs.total));
        Matrix spread = Matrix::Zero(M, width);
        if (G > 1 && replicates_ok) {
          std::vector<Matrix> replicates;
          Matrix mean = Matrix::Zero(M, width);
          for (std::int32_t g = 0; g < G; ++g) {
            replicates.push_back(attributions(solver_without[g].solve(rhs.without(g, scale))));
            mean += replicates.back() / G;
          }
          for (const Matrix& replicate : replicates) spread += (replicate - mean).cwiseAbs2();
          spread *= double(G - 1) / G;
        }
        const bool unknown_error = !design.exact && !replicates_ok;
        for (std::int64_t r = row_begin; r < row_end; ++r) {
          for (std::int64_t j = 0; j < M; ++j) {
            for (std::int64_t k = 0; k < K; ++k) {
              const std::int64_t col = (r - row_begin) * K + k;
              out[(r * M + j) * K + k] = phi(j, col);
              standard_errors[(r * M + j) * K + k] =
                  unknown_error ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(spread(j, col));
            }
          }
        }
        const std::size_t solved = rows_done += static_cast<std::size_t>(row_end - row_begin);
        if (progress.active() && omp_get_thread_num() == 0) progress.report(solved, static_cast<std::size_t>(n_rows));
      });
}

void kernel_shap_values_per_background(const CoalitionDesign& design, std::span<const double> values,
                                       std::span<const double> full, std::span<const double> background_outputs,
                                       std::span<const double> weights, std::int64_t n_rows, std::int32_t n_outputs,
                                       std::span<double> out, std::span<double> standard_errors, int n_jobs) {
  const std::int64_t M = design.n_features, K = n_outputs;
  const auto C = static_cast<std::int64_t>(design.size());
  if (!design.per_background() && C > 0) throw InvalidArgument("design: not a per-background design");
  if (K < 1 || static_cast<std::int64_t>(background_outputs.size()) % K != 0) {
    throw InvalidArgument("background_outputs: wrong size");
  }
  const std::int64_t B = static_cast<std::int64_t>(background_outputs.size()) / K;
  if (B < 1) throw InvalidArgument("background_outputs: need at least one background row");
  if (!weights.empty() && static_cast<std::int64_t>(weights.size()) != B) {
    throw InvalidArgument("data_weights: expected one weight per background row");
  }
  if (static_cast<std::int64_t>(values.size()) != checked_size({n_rows, C, K}, "values"))
    throw InvalidArgument("values: wrong size");
  if (static_cast<std::int64_t>(out.size()) != checked_size({n_rows, M, K}, "out") ||
      standard_errors.size() != out.size()) {
    throw InvalidArgument("out: wrong size");
  }
  for (const double v : values) {
    if (!std::isfinite(v)) throw InvalidArgument("model: returned a non-finite output (NaN or inf) for a masked row");
  }
  // Each background row's coalitions: a contiguous range [first[b], first[b + 1]).
  std::vector<std::int64_t> first(B + 1, 0);
  for (const std::int32_t b : design.background_of) {
    if (b < 0 || b >= B) throw InvalidArgument("design: made for more background rows than background_outputs has");
    ++first[b + 1];
  }
  std::partial_sum(first.begin(), first.end(), first.begin());
  // Per background row: values and standard errors, n_rows x M x K each.
  std::vector<double> per_row_values(B * n_rows * M * K), per_row_errors(B * n_rows * M * K);
  parallel_for(static_cast<std::ptrdiff_t>(B), resolve_threads(n_jobs), [&](std::ptrdiff_t b) {
    CoalitionDesign game;
    game.n_features = design.n_features;
    game.exact = design.exact;
    const std::int64_t begin = first[b], end = first[b + 1], count = end - begin;
    game.masks.assign(design.masks.begin() + begin * M, design.masks.begin() + end * M);
    game.weights.assign(design.weights.begin() + begin, design.weights.begin() + end);
    game.groups.assign(design.groups.begin() + begin, design.groups.begin() + end);
    for (const std::int32_t g : game.groups) game.n_groups = std::max(game.n_groups, g + 1);
    std::vector<double> game_values(n_rows * count * K);
    for (std::int64_t r = 0; r < n_rows; ++r) {
      std::copy(values.begin() + (r * C + begin) * K, values.begin() + (r * C + end) * K,
                game_values.begin() + r * count * K);
    }
    const std::size_t offset = static_cast<std::size_t>(b * n_rows * M * K);
    kernel_shap_values(game, game_values, full, background_outputs.subspan(b * K, K), n_rows, n_outputs,
                       std::span<double>(per_row_values).subspan(offset, n_rows * M * K),
                       std::span<double>(per_row_errors).subspan(offset, n_rows * M * K), 1);
  });
  // The weighted mean over background rows, in row order (the same for every n_jobs).
  double weight_sum = weights.empty() ? static_cast<double>(B) : 0.0;
  for (const double w : weights) weight_sum += w;
  std::fill(out.begin(), out.end(), 0.0);
  std::fill(standard_errors.begin(), standard_errors.end(), 0.0);
  for (std::int64_t b = 0; b < B; ++b) {
    const double w = (weights.empty() ? 1.0 : weights[b]) / weight_sum;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] += w * per_row_values[b * out.size() + i];
      standard_errors[i] += w * w * per_row_errors[b * out.size() + i] * per_row_errors[b * out.size() + i];
    }
  }
  for (double& e : standard_errors) e = std::sqrt(e);
}

std::vector<std::int32_t> random_permutations(std::int32_t n_features, std::int64_t n_permutations,
                                              std::uint64_t seed) {
  if (n_features < 1 || n_permutations < 1) throw InvalidArgument("need at least one feature and one permutation");
  std::vector<std::int32_t> permutations(checked_size({n_permutations, n_features, 4}, "n_permutations") / 4);
  for (std::int64_t k = 0; k < n_permutations; ++k) {
    CounterRng rng(seed, static_cast<std::uint64_t>(k));
    std::int32_t* order = permutations.data() + k * n_features;
    for (std::int32_t j = 0; j < n_features; ++j) order[j] = j;
    for (std::int32_t j = n_features - 1; j > 0; --j) std::swap(order[j], order[rng.below(j + 1)]);  // Fisher-Yates
  }
  return permutations;
}

CoalitionDesign permutation_coalitions(std::span<const std::int32_t> permutations, std::int32_t n_features) {
  const std::int64_t M = n_features;
  if (M < 1 || permutations.empty() || permutations.size() % M != 0) {
    throw InvalidArgument("permutations: expected rows of " + std::to_string(M) + " feature indices");
  }
  const std::int64_t K = static_cast<std::int64_t>(permutations.size()) / M;
  CoalitionDesign design;
  design.n_features = n_features;
  design.masks.assign(checked_size({K, 2 * M + 1, M}, "permutations"), 0);
  std::vector<std::uint8_t> mask(M), seen(M);
  for (std::int64_t k = 0; k < K; ++k) {
    std::fill(seen.begin(), seen.end(), 0);
    for (std::int64_t j = 0; j < M; ++j) {
      const std::int32_t feature = permutations[k * M + j];
      if (feature < 0 || feature >= M || seen[feature]) {
        throw InvalidArgument("permutations: row " + std::to_string(k) + " is not a permutation of 0.." +
                              std::to_string(M - 1));
      }
      seen[feature] = 1;
    }
    std::fill(mask.begin(), mask.end(), 0);
    std::uint8_t* target = design.masks.data() + k * (2 * M + 1) * M;
    for (std::int64_t step = 1; step <= 2 * M; ++step) {  // step 0 stays the empty set
      const std::int32_t feature = permutations[k * M + (step - 1) % M];
      mask[feature] = step <= M ? 1 : 0;
      std::copy(mask.begin(), mask.end(), target + step * M);
    }
  }
  design.weights.assign(K * (2 * M + 1), 0.0);
  design.groups.assign(K * (2 * M + 1), -1);
  return design;
}

void permutation_shapley_values(std::span<const std::int32_t> permutations, std::int32_t n_features,
                                std::span<const double> values, std::int64_t n_rows, std::int32_t n_outputs,
                                std::span<double> out, std::span<double> standard_errors, int n_jobs) {
  const std::int64_t M = n_features, K = n_outputs;
  const std::int64_t P = M > 0 ? static_cast<std::int64_t>(permutations.size()) / M : 0;
  const std::int64_t steps = 2 * M + 1;
  if (M < 1 || P < 1) throw InvalidArgument("permutations: need at least one permutation of at least one feature");
  if (static_cast<std::int64_t>(values.size()) != checked_size({n_rows, P, steps, K}, "values")) {
    throw InvalidArgument("values: wrong size");
  }
  if (static_cast<std::int64_t>(out.size()) != checked_size({n_rows, M, K}, "out") ||
      standard_errors.size() != out.size()) {
    throw InvalidArgument("out: wrong size");
  }
  parallel_for(static_cast<std::ptrdiff_t>(n_rows), resolve_threads(n_jobs), [&](std::ptrdiff_t row) {
    std::vector<double> sum(M * K, 0.0), sum_squares(M * K, 0.0), estimate(M * K);
    for (std::int64_t p = 0; p < P; ++p) {
      const double* v = values.data() + (row * P + p) * steps * K;
      for (std::int64_t j = 0; j < M; ++j) {
        const std::int32_t feature = permutations[p * M + j];
        for (std::int64_t k = 0; k < K; ++k) {
          const double forward = v[(j + 1) * K + k] - v[j * K + k];
          const double backward = v[(M + j) * K + k] - v[(M + j + 1) * K + k];
          estimate[feature * K + k] = 0.5 * (forward + backward);
        }
      }
      for (std::int64_t i = 0; i < M * K; ++i) {
        sum[i] += estimate[i];
        sum_squares[i] += estimate[i] * estimate[i];
      }
    }
    for (std::int64_t i = 0; i < M * K; ++i) {
      const double mean = sum[i] / P;
      out[row * M * K + i] = mean;
      standard_errors[row * M * K + i] =
          P > 1 ? std::sqrt(std::max(0.0, (sum_squares[i] - P * mean * mean) / (P - 1)) / P)
                : std::numeric_limits<double>::quiet_NaN();
    }
  });
}

void linear_shap_values(std::span<const double> coef, std::span<const double> X, std::span<const double> mean,
                        std::int32_t n_features, std::int32_t n_outputs, std::span<double> out, int n_jobs) {
  const std::int64_t M = n_features, K = n_outputs;
  if (M < 1 || K < 1 || static_cast<std::int64_t>(coef.size()) != K * M)
    throw InvalidArgument("coef: expected n_outputs x n_features values");
  if (static_cast<std::int64_t>(mean.size()) != M) throw InvalidArgument("data: expected one mean per feature");
  const std::int64_t n_rows = static_cast<std::int64_t>(X.size()) / M;
  if (static_cast<std::int64_t>(X.size()) != n_rows * M || static_cast<std::int64_t>(out.size()) != n_rows * M * K) {
    throw InvalidArgument("X: wrong size");
  }
  constexpr std::int64_t kRowsPerBlock = 256;
  parallel_for(static_cast<std::ptrdiff_t>(n_blocks(n_rows, kRowsPerBlock)), resolve_threads(n_jobs),
               [&](std::ptrdiff_t block) {
                 for (std::int64_t r = block * kRowsPerBlock; r < std::min(n_rows, (block + 1) * kRowsPerBlock); ++r) {
                   for (std::int64_t j = 0; j < M; ++j) {
                     for (std::int64_t k = 0; k < K; ++k)
                       out[(r * M + j) * K + k] = coef[k * M + j] * (X[r * M + j] - mean[j]);
                   }
                 }
               });
}

}  // namespace assay::explain
