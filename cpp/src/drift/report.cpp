// Column drift reports (see report.hpp).
#include "assay/drift/report.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "assay/common/error.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "assay/common/sort.hpp"
#include "assay/drift/multivariate.hpp"
#include "column_result.hpp"
#include "interrupt.hpp"
#include "merge_walk.hpp"

namespace assay::drift {

namespace {

struct TestInfo {
  Test test;
  const char* name;
  bool pvalue;
  bool numeric;
  bool categorical;
  double threshold;
};

// Evidently's default thresholds (reference notes, section 1.1).
constexpr TestInfo kTests[] = {
    {Test::ks, "ks", true, true, false, 0.05},
    {Test::wasserstein, "wasserstein", false, true, false, 0.1},
    {Test::psi, "psi", false, true, true, 0.1},
    {Test::jensenshannon, "jensenshannon", false, true, true, 0.1},
    {Test::kl_div, "kl_div", false, true, true, 0.1},
    {Test::hellinger, "hellinger", false, true, true, 0.1},
    {Test::tvd, "tvd", false, true, true, 0.1},
    {Test::chisquare, "chisquare", true, true, true, 0.05},
    {Test::g_test, "g_test", true, true, true, 0.1},
    {Test::z, "z", true, true, true, 0.05},
    {Test::fisher_exact, "fisher_exact", true, true, true, 0.1},
    {Test::anderson, "anderson", true, true, false, 0.1},
    {Test::cramer_von_mises, "cramer_von_mises", true, true, false, 0.1},
    {Test::energy_distance, "energy_distance", false, true, false, 0.1},
    {Test::mannw, "mannw", true, true, false, 0.05},
    {Test::es, "es", true, true, false, 0.05},
    {Test::ed, "ed", false, true, false, 0.1},
    {Test::t_test, "t_test", true, true, false, 0.05},
    {Test::mannwhitneyu, "mannwhitneyu", true, true, false, 0.05},
    {Test::tvd_permutation, "TVD", true, true, true, 0.1},
    {Test::empirical_mmd, "empirical_mmd", true, true, false, 0.1},
};

const TestInfo& info(Test test) {
  for (const auto& entry : kTests)
    if (entry.test == test) return entry;
  throw InvalidArgument("unknown drift test");
}

// Aligned counts over the categories (or distinct numeric values) of either sample.
struct AlignedCounts {
  std::vector<double> reference, current;
};

AlignedCounts aligned_counts(const PreparedColumn& reference, const PreparedColumn& current) {
  AlignedCounts out;
  if (reference.numeric) {
    for_each_distinct(reference.sorted, current.sorted, [&](double, std::size_t cr, std::size_t cc) {
      out.reference.push_back(static_cast<double>(cr));
      out.current.push_back(static_cast<double>(cc));
    });
    return out;
  }
  // Both category lists are sorted by label: merge them.
  std::size_t i = 0, j = 0;
  const auto& a = reference.categories;
  const auto& b = current.categories;
  while (i < a.size() || j < b.size()) {
    if (j >= b.size() || (i < a.size() && a[i] < b[j])) {
      out.reference.push_back(reference.category_counts[i++]);
      out.current.push_back(0.0);
    } else if (i >= a.size() || b[j] < a[i]) {
      out.reference.push_back(0.0);
      out.current.push_back(current.category_counts[j++]);
    } else {
      out.reference.push_back(reference.category_counts[i++]);
      out.current.push_back(current.category_counts[j++]);
    }
  }
  return out;
}

std::size_t count_distinct(std::span<const double> sorted) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (i == 0 || sorted[i] != sorted[i - 1]) ++n;
  return n;
}

std::size_t distinct_in_both(const PreparedColumn& reference, const PreparedColumn& current) {
  return aligned_counts(reference, current).reference.size();
}

std::size_t distinct_values(const PreparedColumn& column) {
  return column.numeric ? count_distinct(column.sorted) : column.categories.size();
}

void fill_result(ColumnDrift& out, const TestResult& result) {
  out.statistic = result.statistic;
  out.pvalue = result.pvalue;
  out.method = result.method;
}

void compute(ColumnDrift& out, const PreparedColumn& reference, const PreparedColumn& current) {
  const Test test = out.test;
  switch (test) {
    case Test::ks:
      fill_result(out, ks_2samp(reference.sorted, current.sorted));
      return;
    case Test::mannw:  // Evidently: mannwhitneyu(reference, current, alternative="less")
      fill_result(out, mann_whitney_u(reference.sorted, current.sorted, PMethod::automatic, Alternative::less));
      return;
    case Test::mannwhitneyu:
      fill_result(out, mann_whitney_u(reference.sorted, current.sorted));
      return;
    case Test::t_test:
      fill_result(out, ttest_ind(reference.sorted, current.sorted));
      return;
    case Test::empirical_mmd:
      fill_result(out, empirical_mmd_test(reference.sorted, current.sorted));
      return;
    case Test::tvd_permutation: {
      const AlignedCounts counts = aligned_counts(reference, current);
      fill_result(out, tvd_permutation_test(counts.reference, counts.current));
      return;
    }
    case Test::cramer_von_mises:
      fill_result(out, cramer_von_mises_2samp(reference.sorted, current.sorted));
      return;
    case Test::es:
      fill_result(out, epps_singleton_2samp(reference.sorted, current.sorted));
      return;
    case Test::anderson:
      fill_result(out, anderson_ksamp({reference.sorted, current.sorted}));
      return;
    case Test::wasserstein:
      out.statistic = normalized_wasserstein(reference.sorted, current.sorted);
      return;
    case Test::energy_distance:
    case Test::ed:
      out.statistic = energy_distance(reference.sorted, current.sorted);
      return;
    case Test::psi:
    case Test::kl_div:
    case Test::jensenshannon:
    case Test::hellinger:
    case Test::tvd: {
      BinnedProportions bins = evidently_bins(reference, current);
      out.method = bins.binning;
      out.statistic = binned_distance(test, std::move(bins));
      return;
    }
    case Test::chisquare:
    case Test::g_test: {
      const AlignedCounts counts = aligned_counts(reference, current);
      fill_result(out, chisquare_goodness_of_fit(counts.reference, counts.current,
                                                 test == Test::g_test ? kLogLikelihood : kPearson));
      return;
    }
    case Test::z:
    case Test::fisher_exact: {
      const AlignedCounts counts = aligned_counts(reference, current);
      if (counts.reference.size() > 2) {
        out.note = std::string(test_name(test)) + " needs a column with at most 2 distinct values, found " +
                   std::to_string(counts.reference.size());
        return;
      }
      // Proportion of the first category (in sorted order) in each sample.
      const double r0 = counts.reference[0], c0 = counts.current[0];
      const double r1 = counts.reference.size() > 1 ? counts.reference[1] : 0.0;
      const double c1 = counts.current.size() > 1 ? counts.current[1] : 0.0;
      if (test == Test::z)
        fill_result(out, two_proportion_z(r0, r0 + r1, c0, c0 + c1));
      else
        fill_result(out, fisher_exact(static_cast<std::int64_t>(r0), static_cast<std::int64_t>(r1),
                                      static_cast<std::int64_t>(c0), static_cast<std::int64_t>(c1)));
      return;
    }
  }
}

}  // namespace

TestResult tvd_permutation_test(std::span<const double> reference_counts, std::span<const double> current_counts,
                                std::size_t n_permutations, std::uint64_t seed) {
  if (reference_counts.size() != current_counts.size())
    throw InvalidArgument("the TVD test needs counts over the same categories");
  std::vector<std::int64_t> ref, cur;
  for (std::size_t i = 0; i < reference_counts.size(); ++i) {
    ref.push_back(static_cast<std::int64_t>(reference_counts[i]));
    cur.push_back(static_cast<std::int64_t>(current_counts[i]));
  }
  const std::int64_t n_ref = std::accumulate(ref.begin(), ref.end(), std::int64_t{0});
  const std::int64_t n_cur = std::accumulate(cur.begin(), cur.end(), std::int64_t{0});
  if (n_ref == 0 || n_cur == 0) throw InvalidArgument("the TVD test needs values in both samples");
  // 2 n_r n_c TVD = sum |r_i n_c - c_i n_r|, exact in integers.
  auto scaled_distance = [&](const std::vector<std::int64_t>& r) {
    std::int64_t total = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
      const std::int64_t c = ref[i] + cur[i] - r[i];
      total += std::llabs(r[i] * n_cur - c * n_ref);
    }
    return total;
  };
  TestResult result;
  result.method = "permutation";
  const std::int64_t observed = scaled_distance(ref);
  result.statistic = static_cast<double>(observed) / (2.0 * static_cast<double>(n_ref) * static_cast<double>(n_cur));
  // The pooled values as category indices; each split draws the smaller group (a
  // partial Fisher-Yates shuffle), the other group is the rest.
  std::vector<std::uint32_t> pooled;
  for (std::size_t i = 0; i < ref.size(); ++i)
    pooled.insert(pooled.end(), static_cast<std::size_t>(ref[i] + cur[i]), static_cast<std::uint32_t>(i));
  const bool draw_reference = n_ref <= n_cur;
  const auto drawn = static_cast<std::size_t>(draw_reference ? n_ref : n_cur);
  std::size_t at_least = 0;
  std::vector<std::int64_t> counts(ref.size());
  for (std::size_t p = 0; p < n_permutations; ++p) {
    CounterRng rng(seed, p);
    std::fill(counts.begin(), counts.end(), 0);
    for (std::size_t t = 0; t < drawn; ++t) {
      std::swap(pooled[t], pooled[t + rng.below(pooled.size() - t)]);
      ++counts[pooled[t]];
    }
    if (!draw_reference)  // the drawn group is the current one: the reference is the rest
      for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = ref[i] + cur[i] - counts[i];
    if (scaled_distance(counts) >= observed) ++at_least;
  }
  result.pvalue = static_cast<double>(at_least) / static_cast<double>(n_permutations);
  return result;
}

namespace {

// The k-th smallest (0-based) of the n^2 values |x_i - x_j| over all ordered pairs of a
// sorted sample, diagonal included: bisection over the doubles (ordered as their bit
// patterns when >= 0), counting the pairs within a distance with two pointers.
double kth_pairwise_distance(std::span<const double> sorted, std::size_t k) {
  const std::size_t n = sorted.size();
  auto pairs_within = [&](double t) {  // ordered pairs with |x_i - x_j| <= t
    std::size_t count = n, start = 0;
    for (std::size_t j = 0; j < n; ++j) {
      while (sorted[j] - sorted[start] > t) ++start;
      count += 2 * (j - start);
    }
    return count;
  };
  std::uint64_t low = 0, high = std::bit_cast<std::uint64_t>(sorted.back() - sorted.front());
  while (low < high) {  // the smallest t with more than k pairs within it
    const std::uint64_t middle = low + (high - low) / 2;
    if (pairs_within(std::bit_cast<double>(middle)) > k)
      high = middle;
    else
      low = middle + 1;
  }
  return std::bit_cast<double>(low);
}

}  // namespace

TestResult empirical_mmd_test(const SortedSample& reference, const SortedSample& current, std::size_t n_permutations,
                              std::uint64_t seed) {
  if (reference.size() < 2 || current.size() < 2)
    throw InvalidArgument("empirical_mmd needs at least 2 values in each sample");
  if (reference.size() + current.size() > kMaxEmpiricalMmdValues)
    throw InvalidArgument("empirical_mmd is limited to " + std::to_string(kMaxEmpiricalMmdValues) +
                          " values in both samples together (its kernel is O(n^2)); use mmd on a sample");
  // numpy.percentile(..., 50, method="nearest") of the n^2 squared distances: the index
  // (N - 1) / 2 rounded half to even.
  const std::size_t n_pairs = reference.size() * reference.size();
  std::size_t k = (n_pairs - 1) / 2;
  if ((n_pairs - 1) % 2 == 1 && k % 2 == 1) ++k;
  const double distance = kth_pairwise_distance(reference, k);
  double sigma = std::sqrt(0.5 * distance * distance);
  if (sigma == 0) sigma = std::sqrt(0.5);
  const MmdResult mmd = mmd_test({reference.values().data(), reference.size(), 1},
                                 {current.values().data(), current.size(), 1}, n_permutations, seed, sigma, 1);
  TestResult result;
  result.method = "permutation";
  result.statistic = mmd.statistic;
  const auto at_least =
      std::count_if(mmd.permuted.begin(), mmd.permuted.end(), [&](double v) { return v >= mmd.statistic; });
  result.pvalue = static_cast<double>(at_least) / static_cast<double>(n_permutations);
  return result;
}

const char* test_name(Test test) { return info(test).name; }

Test parse_test(const std::string& name) {
  std::string valid;
  for (const auto& entry : kTests) {
    if (name == entry.name) return entry.test;
    valid += valid.empty() ? "" : ", ";
    valid += entry.name;
  }
  throw InvalidArgument("unknown drift test '" + name + "'; valid tests: " + valid);
}

bool test_gives_pvalue(Test test) { return info(test).pvalue; }
bool test_accepts_numeric(Test test) { return info(test).numeric; }
bool test_accepts_categorical(Test test) { return info(test).categorical; }
double default_threshold(Test test) { return info(test).threshold; }

bool is_drift(Test test, double score, double threshold) {
  if (std::isnan(score)) return false;
  if (test == Test::ks || test == Test::cramer_von_mises) return score <= threshold;
  if (test_gives_pvalue(test)) return score < threshold;
  if (test == Test::energy_distance || test == Test::ed) return score > threshold;
  return score >= threshold;
}

Test auto_test(bool numeric, std::size_t n_reference, std::size_t n_distinct) {
  if (n_reference <= 1000) {
    if (n_distinct <= 2) return Test::z;
    if (!numeric || n_distinct <= 5) return Test::chisquare;
    return Test::ks;
  }
  if (!numeric || n_distinct <= 5) return Test::jensenshannon;
  return Test::wasserstein;
}

std::size_t PreparedColumn::size() const {
  if (numeric) return sorted.size();
  return static_cast<std::size_t>(std::accumulate(category_counts.begin(), category_counts.end(), 0.0));
}

namespace {

// Sorts values ascending, polling between blocks: blocks of 2^23 values are sorted
// one by one, then merged pairwise (a merge level is one pass over the values).
void sort_polled(std::vector<double>& values, StopPoll* poll) {
  constexpr std::size_t kSortBlock = std::size_t{1} << 23;
  if (poll == nullptr || values.size() <= kSortBlock) {
    sort_values(values);
    return;
  }
  for (std::size_t begin = 0; begin < values.size(); begin += kSortBlock) {
    sort_values(std::span<double>(values).subspan(begin, std::min(kSortBlock, values.size() - begin)));
    poll->poll();
  }
  std::vector<double> buffer(values.size());
  for (std::size_t width = kSortBlock; width < values.size(); width *= 2) {
    for (std::size_t begin = 0; begin < values.size(); begin += 2 * width) {
      const std::size_t middle = std::min(begin + width, values.size()),
                        end = std::min(begin + 2 * width, values.size());
      std::merge(
          values.begin() + static_cast<std::ptrdiff_t>(begin), values.begin() + static_cast<std::ptrdiff_t>(middle),
          values.begin() + static_cast<std::ptrdiff_t>(middle), values.begin() + static_cast<std::ptrdiff_t>(end),
          buffer.begin() + static_cast<std::ptrdiff_t>(begin));
      poll->poll();
    }
    values.swap(buffer);
  }
}

PreparedColumn prepare(const ColumnView& column, std::optional<std::span<const std::int64_t>> rows, StopPoll* poll) {
  PreparedColumn out;
  out.numeric = column.is_numeric();
  const std::size_t n = rows ? rows->size() : column.size();
  auto row = [&](std::size_t i) { return rows ? static_cast<std::size_t>((*rows)[i]) : i; };
  if (out.numeric) {
    std::vector<double> finite;
    finite.reserve(n);
    for (std::size_t begin = 0; begin < n; begin += kPollValues) {
      const std::size_t end = std::min(n, begin + kPollValues);
      for (std::size_t i = begin; i < end; ++i) {
        const double v = column.values[row(i)];
        if (std::isnan(v))
          ++out.missing;
        else if (std::isinf(v))
          ++out.infinite;
        else
          finite.push_back(v);
      }
      if (poll) poll->advance(end - begin);
    }
    sort_polled(finite, poll);
    out.sorted = SortedSample::from_sorted(std::move(finite), "column '" + column.name + "'");
    return out;
  }
  std::vector<std::size_t> counts(column.labels.size(), 0);
  for (std::size_t begin = 0; begin < n; begin += kPollValues) {
    const std::size_t end = std::min(n, begin + kPollValues);
    for (std::size_t i = begin; i < end; ++i) {
      const std::int32_t code = column.codes[row(i)];
      if (code < 0)
        ++out.missing;
      else
        ++counts[static_cast<std::size_t>(code)];
    }
    if (poll) poll->advance(end - begin);
  }
  std::vector<std::size_t> order;
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0) order.push_back(c);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return column.labels[a] < column.labels[b]; });
  for (std::size_t c : order) {
    out.categories.push_back(column.labels[c]);
    out.category_counts.push_back(static_cast<double>(counts[c]));
  }
  return out;
}

}  // namespace

PreparedColumn prepare_column(const ColumnView& column, std::optional<std::span<const std::int64_t>> rows) {
  return prepare(column, rows, nullptr);
}

std::vector<double> sturges_edges(double first, double last, double n_values) {
  const double range = last - first;
  // numpy's 'sturges' width, then its count of equal bins and linspace edges.
  const double width = range / (std::log2(n_values) + 1.0);
  const auto n_bins = static_cast<std::size_t>(std::ceil(range / width));
  const double step = range / static_cast<double>(n_bins);
  std::vector<double> edges(n_bins + 1);
  for (std::size_t i = 0; i < n_bins; ++i) edges[i] = static_cast<double>(i) * step + first;
  edges[n_bins] = last;
  return edges;
}

double binned_distance(Test test, BinnedProportions bins) {
  if (test == Test::psi || test == Test::kl_div) {
    evidently_fill_zeros(bins.reference);
    evidently_fill_zeros(bins.current);
  }
  switch (test) {
    case Test::psi:
      return population_stability_index(bins.reference, bins.current, false);
    case Test::kl_div:
      return kl_divergence(bins.reference, bins.current);
    case Test::jensenshannon:
      return jensen_shannon(bins.reference, bins.current);
    case Test::hellinger:
      return hellinger(bins.reference, bins.current);
    case Test::tvd:
      return total_variation(bins.reference, bins.current);
    default:
      throw InvalidArgument(std::string("test '") + test_name(test) + "' is not a distance between binned proportions");
  }
}

BinnedProportions evidently_bins(const PreparedColumn& reference, const PreparedColumn& current) {
  BinnedProportions out;
  const double n_ref = static_cast<double>(reference.size()), n_cur = static_cast<double>(current.size());
  if (reference.numeric && count_distinct(reference.sorted) > 20) {
    const std::span<const double> r = reference.sorted, c = current.sorted;
    const std::vector<double> edges =
        sturges_edges(std::min(r.front(), c.front()), std::max(r.back(), c.back()), n_ref + n_cur);
    const std::size_t n_bins = edges.size() - 1;
    auto histogram = [&](std::span<const double> sorted, double size) {
      // Bin i holds edges[i] <= v < edges[i+1]; the last bin also holds its upper edge.
      std::vector<double> proportions(n_bins);
      std::size_t start = 0;
      for (std::size_t i = 0; i < n_bins; ++i) {
        const std::size_t end =
            i + 1 == n_bins ? sorted.size()
                            : static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), edges[i + 1]) -
                                                       sorted.begin());
        proportions[i] = static_cast<double>(end - start) / size;
        start = end;
      }
      return proportions;
    };
    out.reference = histogram(r, n_ref);
    out.current = histogram(c, n_cur);
    out.binning = "sturges";
    return out;
  }
  AlignedCounts counts = aligned_counts(reference, current);
  for (double& v : counts.reference) v /= n_ref;
  for (double& v : counts.current) v /= n_cur;
  out.reference = std::move(counts.reference);
  out.current = std::move(counts.current);
  out.binning = "values";
  return out;
}

ColumnDrift compare_columns(const std::string& name, const PreparedColumn& reference, const PreparedColumn& current,
                            Test test, double threshold) {
  if (reference.numeric != current.numeric)
    throw InvalidType("column '" + name + "' is " + (reference.numeric ? "numeric" : "categorical") +
                      " in the reference but " + (current.numeric ? "numeric" : "categorical") +
                      " in the current data");
  if (reference.numeric ? !test_accepts_numeric(test) : !test_accepts_categorical(test))
    throw InvalidType(std::string("test '") + test_name(test) + "' does not apply to " +
                      (reference.numeric ? "numeric" : "categorical") + " column '" + name + "'");
  ColumnDrift out;
  out.column = name;
  out.test = test;
  out.threshold = std::isnan(threshold) ? default_threshold(test) : threshold;
  if (!(out.threshold >= 0) || std::isinf(out.threshold) || (test_gives_pvalue(test) && out.threshold > 1))
    throw InvalidArgument("the threshold of test '" + std::string(test_name(test)) + "' on column '" + name + "' is " +
                          std::to_string(out.threshold) + "; it must be " +
                          (test_gives_pvalue(test) ? "a p-value in [0, 1]" : "a finite distance >= 0"));
  set_sample_counts(out, reference, current);
  compute_and_judge(out, [&](ColumnDrift& result) { compute(result, reference, current); });
  return out;
}

namespace {

std::size_t column_index(const TableView& table, const std::string& name, const char* which) {
  const std::ptrdiff_t j = table.find(name);
  if (j < 0) throw InvalidArgument("column '" + name + "' is not in the " + which + " data");
  return static_cast<std::size_t>(j);
}

// The tests of a request, with 'auto' resolved from the prepared samples.
std::vector<Test> resolve_tests(const ColumnRequest& request, const PreparedColumn& reference,
                                const PreparedColumn& current) {
  if (!request.tests.empty()) return request.tests;
  return {auto_test(reference.numeric, reference.size(), distinct_in_both(reference, current))};
}

double threshold_for(const ColumnRequest& request, std::size_t t, Test test) {
  const double own = t < request.thresholds.size() ? request.thresholds[t] : kNaN;
  if (!std::isnan(own)) return own;
  const auto by_test = request.test_thresholds.find(test);
  return by_test == request.test_thresholds.end() ? kNaN : by_test->second;
}

}  // namespace

Correction parse_correction(const std::string& name) {
  if (name == "none") return Correction::none;
  if (name == "bonferroni") return Correction::bonferroni;
  if (name == "holm") return Correction::holm;
  if (name == "fdr_bh") return Correction::fdr_bh;
  throw InvalidArgument("unknown correction '" + name + "'; valid corrections: none, bonferroni, holm, fdr_bh");
}

std::vector<double> adjust_pvalues(std::span<const double> pvalues, Correction correction) {
  std::vector<double> adjusted(pvalues.begin(), pvalues.end());
  std::vector<std::size_t> order;  // the family: non-NaN entries, ascending p
  for (std::size_t i = 0; i < pvalues.size(); ++i)
    if (!std::isnan(pvalues[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pvalues[a] < pvalues[b]; });
  const auto m = static_cast<double>(order.size());
  switch (correction) {
    case Correction::none:
      break;
    case Correction::bonferroni:
      for (const std::size_t i : order) adjusted[i] = std::min(1.0, m * pvalues[i]);
      break;
    case Correction::holm: {  // k-th smallest: max over j <= k of (m - j + 1) p_(j)
      double running = 0.0;
      for (std::size_t k = 0; k < order.size(); ++k) {
        running = std::max(running, std::min(1.0, (m - static_cast<double>(k)) * pvalues[order[k]]));
        adjusted[order[k]] = running;
      }
      break;
    }
    case Correction::fdr_bh: {  // k-th smallest: min over j >= k of m p_(j) / j
      double running = 1.0;
      for (std::size_t k = order.size(); k-- > 0;) {
        running = std::min(running, m * pvalues[order[k]] / static_cast<double>(k + 1));
        adjusted[order[k]] = running;
      }
      break;
    }
  }
  return adjusted;
}

namespace {

// Adjusts the p-values of one family of results together; the drift flags of p-value
// tests then compare the adjusted p-values with the thresholds.
void correct_family(const std::vector<ColumnDrift*>& family, Correction correction) {
  if (correction == Correction::none) return;
  std::vector<double> pvalues;
  pvalues.reserve(family.size());
  for (const ColumnDrift* result : family) pvalues.push_back(result->pvalue);
  const std::vector<double> adjusted = adjust_pvalues(pvalues, correction);
  for (std::size_t i = 0; i < family.size(); ++i) {
    ColumnDrift& result = *family[i];
    result.pvalue_adjusted = adjusted[i];
    if (test_gives_pvalue(result.test)) result.drifted = is_drift(result.test, adjusted[i], result.threshold);
  }
}

}  // namespace

std::vector<ColumnDrift> drift_report(const TableView& reference, const TableView& current,
                                      const std::vector<ColumnRequest>& requests, int n_jobs, const Progress& progress,
                                      Correction correction) {
  std::vector<std::pair<std::size_t, std::size_t>> columns;
  columns.reserve(requests.size());
  for (const auto& request : requests)
    columns.emplace_back(column_index(reference, request.column, "reference"),
                         column_index(current, request.column, "current"));
  std::vector<std::vector<ColumnDrift>> per_request(requests.size());
  StopPoll poll(progress, requests.size() * (reference.n_rows() + current.n_rows()));
  parallel_polled(static_cast<std::ptrdiff_t>(requests.size()), resolve_threads(n_jobs), poll, [&](std::ptrdiff_t r) {
    const auto& request = requests[r];
    const PreparedColumn ref = prepare(reference.column(columns[r].first), {}, &poll);
    const PreparedColumn cur = prepare(current.column(columns[r].second), {}, &poll);
    const std::vector<Test> tests = resolve_tests(request, ref, cur);
    for (std::size_t t = 0; t < tests.size(); ++t) {
      per_request[r].push_back(
          compare_columns(request.column, ref, cur, tests[t], threshold_for(request, t, tests[t])));
      poll.poll();
    }
  });
  poll.finish();
  std::vector<ColumnDrift> out;
  for (auto& results : per_request)
    for (auto& result : results) out.push_back(std::move(result));
  std::vector<ColumnDrift*> family;
  family.reserve(out.size());
  for (auto& result : out) family.push_back(&result);
  correct_family(family, correction);
  return out;
}

std::vector<ChunkDrift> drift_over_time(const TableView& reference, const TableView& current,
                                        std::span<const std::int64_t> chunk_of_row, std::int64_t n_chunks,
                                        const std::vector<ColumnRequest>& requests, int n_jobs,
                                        const Progress& progress, Correction correction) {
  if (chunk_of_row.size() != current.n_rows())
    throw InvalidArgument("chunk labels have " + std::to_string(chunk_of_row.size()) +
                          " entries but the current data has " + std::to_string(current.n_rows()) + " rows");
  if (n_chunks < 1) throw InvalidArgument("there must be at least one chunk");
  // Rows of each chunk, in row order (a counting sort of the labels).
  std::vector<std::vector<std::int64_t>> rows(static_cast<std::size_t>(n_chunks));
  for (std::size_t i = 0; i < chunk_of_row.size(); ++i) {
    const std::int64_t c = chunk_of_row[i];
    if (c < -1 || c >= n_chunks)
      throw InvalidArgument("chunk label " + std::to_string(c) + " of row " + std::to_string(i) +
                            " is outside [-1, n_chunks)");
    if (c >= 0) rows[static_cast<std::size_t>(c)].push_back(static_cast<std::int64_t>(i));
  }
  std::vector<std::pair<std::size_t, std::size_t>> columns;
  columns.reserve(requests.size());
  for (const auto& request : requests)
    columns.emplace_back(column_index(reference, request.column, "reference"),
                         column_index(current, request.column, "current"));
  const int threads = resolve_threads(n_jobs);
  // The reference side once per column; 'auto' is decided from the reference alone so
  // that every chunk of a column uses the same test.
  std::vector<PreparedColumn> prepared(requests.size());
  std::vector<std::vector<Test>> tests(requests.size());
  const auto n_tasks = static_cast<std::size_t>(n_chunks) * requests.size();
  StopPoll poll(progress, requests.size() * (reference.n_rows() + current.n_rows()));
  parallel_polled(static_cast<std::ptrdiff_t>(requests.size()), threads, poll, [&](std::ptrdiff_t r) {
    prepared[r] = prepare(reference.column(columns[r].first), {}, &poll);
    tests[r] = requests[r].tests.empty()
                   ? std::vector<Test>{auto_test(prepared[r].numeric, prepared[r].size(), distinct_values(prepared[r]))}
                   : requests[r].tests;
  });
  std::vector<std::vector<ChunkDrift>> per_task(n_tasks);
  parallel_polled(static_cast<std::ptrdiff_t>(n_tasks), threads, poll, [&](std::ptrdiff_t task) {
    const std::size_t chunk = static_cast<std::size_t>(task) / requests.size();
    const std::size_t r = static_cast<std::size_t>(task) % requests.size();
    const PreparedColumn cur =
        prepare(current.column(columns[r].second), std::span<const std::int64_t>(rows[chunk]), &poll);
    for (std::size_t t = 0; t < tests[r].size(); ++t) {
      per_task[task].push_back(
          {static_cast<std::int64_t>(chunk), compare_columns(requests[r].column, prepared[r], cur, tests[r][t],
                                                             threshold_for(requests[r], t, tests[r][t]))});
      poll.poll();
    }
  });
  poll.finish();
  std::vector<ChunkDrift> out;
  for (auto& results : per_task)
    for (auto& result : results) out.push_back(std::move(result));
  // Each chunk's results are one family (a report of that chunk); they are contiguous.
  for (std::size_t begin = 0; begin < out.size();) {
    std::vector<ColumnDrift*> family;
    std::size_t end = begin;
    for (; end < out.size() && out[end].chunk == out[begin].chunk; ++end) family.push_back(&out[end].drift);
    correct_family(family, correction);
    begin = end;
  }
  return out;
}

}  // namespace assay::drift
