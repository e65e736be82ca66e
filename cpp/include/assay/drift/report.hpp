#pragma once
// Column drift between a reference and a current table: the engine behind
// assay.drift.report and assay.drift.over_time.
//
// Each column is prepared once per sample (non-finite values dropped and counted,
// numeric values sorted, categories counted by label) and every requested test reads
// the prepared form. Columns (and chunks) run in parallel; each result depends only
// on its own column, so results are the same for every n_jobs.
//
// Progress and interrupts: `done`/`total` count values (of both samples) prepared, and
// the Progress is asked every 2^20 values and between the tests of a column, so a stop
// request ends the call after at most that much work per thread (plus the sort of the
// current block: columns of up to 2^23 values are sorted whole, longer ones in blocks
// of 2^23 values that are then merged).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "assay/common/progress.hpp"
#include "assay/common/table.hpp"
#include "assay/drift/univariate.hpp"

namespace assay::drift {

// The tests a column can be checked with. Names (test_name) follow Evidently's keys.
enum class Test {
  ks,                // Kolmogorov-Smirnov (p-value)
  wasserstein,       // Evidently's normalised Wasserstein (distance)
  psi,               // population stability index (distance)
  jensenshannon,     // Jensen-Shannon distance (distance)
  kl_div,            // KL divergence reference || current (distance)
  hellinger,         // Hellinger distance (distance)
  tvd,               // total variation distance (distance)
  chisquare,         // goodness of fit against rescaled reference counts (p-value)
  g_test,            // the same with the log-likelihood statistic (p-value)
  z,                 // two-proportion z-test on the first category (p-value)
  fisher_exact,      // Fisher's exact test, binary columns (p-value)
  anderson,          // Anderson-Darling k-sample, k = 2 (p-value)
  cramer_von_mises,  // Cramer-von Mises two-sample (p-value)
  energy_distance,   // energy distance in data units (distance)
  mannw,             // Mann-Whitney U, Evidently's: one-sided, reference smaller (p-value)
  es,                // Epps-Singleton (p-value)
  ed,                // Evidently's energy distance (the same as energy_distance)
  t_test,            // Student's t-test, pooled variance (p-value)
  mannwhitneyu,      // Mann-Whitney U, two-sided (scipy's default; p-value)
  tvd_permutation,   // Evidently's `TVD`: permutation p-value of the total variation distance
  empirical_mmd,     // Evidently's `empirical_mmd`: 1-D RBF MMD with a permutation p-value
};
inline constexpr Test kLastTest = Test::empirical_mmd;

// Evidently's `TVD` test: the total variation distance between the category (or value)
// proportions and the share of `n_permutations` random splits of the pooled sample into
// groups of the two sizes whose distance is at least the observed one (Evidently's
// p-value, without the +1). Splits are drawn from CounterRng(seed, permutation); the
// distances are compared exactly, in integers (sum |r_i n_c - c_i n_r|). Time
// O(n_permutations min(n_r, n_c)).
TestResult tvd_permutation_test(std::span<const double> reference_counts, std::span<const double> current_counts,
                                std::size_t n_permutations = 1000, std::uint64_t seed = 0);

// Evidently's `empirical_mmd` on one numeric column: the unbiased RBF MMD^2 with
// sigma^2 = half the median ("nearest" rank, numpy's) of the squared differences of
// all ordered pairs of reference values (sqrt(1/2) when that is 0), and the share of
// `n_permutations` permutations whose statistic is at least the observed one. At most
// kMaxEmpiricalMmdValues values in both samples together (the kernel is O(n^2) work).
inline constexpr std::size_t kMaxEmpiricalMmdValues = 20000;
TestResult empirical_mmd_test(const SortedSample& reference, const SortedSample& current,
                              std::size_t n_permutations = 100, std::uint64_t seed = 0);

const char* test_name(Test test);
// Throws InvalidArgument naming the valid keys.
Test parse_test(const std::string& name);
bool test_gives_pvalue(Test test);
bool test_accepts_numeric(Test test);
bool test_accepts_categorical(Test test);
double default_threshold(Test test);
// Evidently's rule: p-value tests drift when p < threshold (p <= threshold for ks and
// cramer_von_mises); distances when distance >= threshold (> for energy_distance and ed).
bool is_drift(Test test, double score, double threshold);

// 'auto' (Evidently's defaults): with at most 1000 reference values, a column with
// at most 2 distinct values (both samples together) gets `z`, a numeric one with 3-5
// gets `chisquare`, a numeric one with more gets `ks`, a categorical one `chisquare`;
// with more reference values numeric columns with at most 5 distinct values and all
// categorical columns get `jensenshannon`, other numeric columns `wasserstein`.
Test auto_test(bool numeric, std::size_t n_reference, std::size_t n_distinct);

// One column of one sample, ready for the tests.
struct PreparedColumn {
  bool numeric = true;
  SortedSample sorted;                  // numeric: finite values, ascending
  std::vector<std::string> categories;  // categorical: labels with a count > 0
  std::vector<double> category_counts;  // categorical: one count per label
  std::size_t missing = 0;              // NaN / -1 codes
  std::size_t infinite = 0;             // +-inf (numeric), dropped like missing
  std::size_t size() const;             // values that take part in the tests
};

// Prepares column `column`, restricted to `rows` when given (indices into the column).
PreparedColumn prepare_column(const ColumnView& column, std::optional<std::span<const std::int64_t>> rows = {});

// One test's outcome on one column.
struct ColumnDrift {
  std::string column;
  Test test = Test::ks;
  double statistic = kNaN;        // the test statistic, or the distance
  double pvalue = kNaN;           // NaN for distances
  double score = kNaN;            // the p-value or the distance
  double pvalue_adjusted = kNaN;  // the p-value after the report's correction (the p-value without one)
  double threshold = kNaN;
  bool drifted = false;
  std::string method;  // how the p-value was computed, or the binning used
  std::size_t n_reference = 0, n_current = 0;
  std::size_t missing_reference = 0, missing_current = 0;
  std::size_t infinite_reference = 0, infinite_current = 0;
  std::string note;  // why the score is NaN, when it is
  // Exact unless computed from merged sketches (sketched.hpp): then the exact statistic is
  // within statistic_bound of `statistic`, and the exact p-value in [pvalue_low, pvalue_high]
  // (NaN for distances and for exact results).
  bool exact = true;
  double statistic_bound = 0.0;
  double pvalue_low = kNaN, pvalue_high = kNaN;
};

// Runs `test` on the prepared samples; degenerate input (an empty sample, a constant
// sample where the test is undefined) gives NaN and a note instead of throwing.
ColumnDrift compare_columns(const std::string& name, const PreparedColumn& reference, const PreparedColumn& current,
                            Test test, double threshold);

// Bin proportions as Evidently computes them for PSI, KL and JS: a numeric column with
// more than 20 distinct reference values uses Sturges' equal-width bins over both
// samples together (numpy.histogram_bin_edges(..., 'sturges')); otherwise one bin per
// distinct value of either sample. Proportions are counts / sample size.
struct BinnedProportions {
  std::vector<double> reference, current;
  std::string binning;  // "sturges" or "values"
};
BinnedProportions evidently_bins(const PreparedColumn& reference, const PreparedColumn& current);
// The Sturges edges evidently_bins uses for `n_values` values (both samples) between `first`
// and `last` (the smallest and largest of both), first < last.
std::vector<double> sturges_edges(double first, double last, double n_values);
// psi, kl_div, jensenshannon, hellinger or tvd of binned proportions, as the report
// computes them (psi and kl_div after Evidently's filling of empty bins).
double binned_distance(Test test, BinnedProportions bins);

// What to check in a column: its name and the tests (with thresholds).
struct ColumnRequest {
  std::string column;
  std::vector<Test> tests;         // empty: the 'auto' test
  std::vector<double> thresholds;  // one per test (or one for 'auto'); NaN: see below
  // Thresholds by test, for entries of `thresholds` that are NaN or missing (this is
  // how a threshold set for a test reaches a column whose test 'auto' picks); tests
  // not listed use default_threshold.
  std::map<Test, double> test_thresholds{};  // NOLINT(readability-redundant-member-init): -Wmissing-field-initializers
};

// Multiple-testing corrections, with the adjusted p-values statsmodels' multipletests
// gives: Bonferroni min(1, m p); Holm's step-down (Holm 1979); Benjamini & Hochberg's
// false discovery rate step-up (1995).
enum class Correction { none, bonferroni, holm, fdr_bh };
// Throws InvalidArgument naming the valid names ("none", "bonferroni", "holm", "fdr_bh").
Correction parse_correction(const std::string& name);
// Adjusted p-values; NaN entries take no part in the family and stay NaN.
std::vector<double> adjust_pvalues(std::span<const double> pvalues, Correction correction);

// Every requested test on every requested column. With a correction, the p-values of
// all results form one family: `pvalue_adjusted` holds the adjusted p-values and the
// drift flags of p-value tests compare them (not `score`) with the thresholds.
std::vector<ColumnDrift> drift_report(const TableView& reference, const TableView& current,
                                      const std::vector<ColumnRequest>& requests, int n_jobs,
                                      const Progress& progress = {}, Correction correction = Correction::none);

// The same per chunk of the current table: `chunk_of_row[i]` in [0, n_chunks) is the
// chunk of current row i (-1 leaves the row out). Results are ordered by chunk, then
// by request; the chunk is the index in `chunks`. With a correction, each chunk's
// results form one family.
struct ChunkDrift {
  std::int64_t chunk = 0;
  ColumnDrift drift;
};
std::vector<ChunkDrift> drift_over_time(const TableView& reference, const TableView& current,
                                        std::span<const std::int64_t> chunk_of_row, std::int64_t n_chunks,
                                        const std::vector<ColumnRequest>& requests, int n_jobs,
                                        const Progress& progress = {}, Correction correction = Correction::none);

}  // namespace assay::drift
