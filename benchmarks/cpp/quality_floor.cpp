// Where the time of assay::quality::check goes, measured in C++ on the data recipe of
// benchmarks/bench_quality.py (1M rows x 40 float64 + 10 categorical columns), against
// a read-once pass over the numeric data. It times, besides check itself, the pieces
// that any profile with the exact statistics needs at least:
//   - ordering the 20 columns with about a million distinct values (vqsort),
//   - counting the 20 columns with few distinct values into runs,
//   - the HyperLogLog sketch (kept for merging profiles) of the high-cardinality columns
//     (a column held as runs hashes only its distinct values),
//   - the row hashes of all 50 columns (duplicate rows).
// It also times the one-pass sketch mode (ProfileOptions::exact = false) of profile and check,
// whose goal is at most 4x the read-once pass, and prints that ratio and the exact check's
// ratio to its ordering floor (the two ordering pieces).
// Prints a markdown table (median of the repeats, 2 threads unless said otherwise); with
// `sketch` only the read-once pass and the sketch mode's rows (the ratios of a shared machine
// are read within one run).
//
//   assay_quality_floor [rows=1000000] [repeats=5] [sketch]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include <omp.h>

#include "assay/common/hash.hpp"
#include "assay/common/parallel.hpp"
#include "assay/common/rng.hpp"
#include "assay/common/sort.hpp"
#include "assay/quality/check.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_of_one(const std::function<void()>& work) {
  const auto start = Clock::now();
  work();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Process CPU time (all threads) of one call.
double cpu_seconds_of_one(const std::function<void()>& work) {
  const std::clock_t start = std::clock();
  work();
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double median_seconds(int repeats, const std::function<void()>& work) {
  work();  // warm-up
  std::vector<double> seconds(static_cast<std::size_t>(repeats));
  for (double& s : seconds) s = seconds_of_one(work);
  return median(seconds);
}

// One numeric column of kind j % 4, as in bench_quality.py: normal, lognormal,
// integers 0..99, normal(50, 10) rounded to 2 decimals; 2% NaN.
std::vector<double> numeric_column(std::size_t rows, int j) {
  assay::CounterRng rng(0, static_cast<std::uint64_t>(j));
  std::vector<double> x(rows);
  for (double& v : x) {
    switch (j % 4) {
      case 0:
        v = rng.normal();
        break;
      case 1:
        v = std::exp(rng.normal());
        break;
      case 2:
        v = static_cast<double>(rng.below(100));
        break;
      default:
        v = std::round((50.0 + 10.0 * rng.normal()) * 100.0) / 100.0;
    }
    if (rng.uniform() < 0.02) v = NAN;
  }
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const long repeats_arg = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 5;
  const bool sketch_only = argc > 3 && std::string(argv[3]) == "sketch";
  if (rows == 0 || repeats_arg < 1 || repeats_arg > 1000 || (argc > 3 && !sketch_only)) {
    std::fprintf(stderr, "usage: assay_quality_floor [rows >= 1] [1 <= repeats <= 1000] [sketch]\n");
    return 2;
  }
  const int repeats = static_cast<int>(repeats_arg);
  const int threads = assay::resolve_threads(0);

  std::vector<std::vector<double>> numeric;
  numeric.reserve(40);
  for (int j = 0; j < 40; ++j) numeric.push_back(numeric_column(rows, j));
  std::vector<std::vector<std::int32_t>> codes;
  std::vector<std::vector<std::string>> labels;
  for (int j = 0; j < 10; ++j) {
    const int cardinality = std::vector<int>{5, 20, 100, 1000, 10}[j % 5];
    assay::CounterRng rng(1, static_cast<std::uint64_t>(j));
    codes.emplace_back(rows);
    for (auto& c : codes.back()) c = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(cardinality)));
    labels.emplace_back();
    for (int k = 0; k < cardinality; ++k) labels.back().push_back("v" + std::to_string(k));
  }
  std::vector<assay::ColumnView> views;
  views.reserve(50);
  for (int j = 0; j < 40; ++j) views.push_back(assay::ColumnView::numeric("num" + std::to_string(j), numeric[j]));
  for (int j = 0; j < 10; ++j) {
    views.push_back(assay::ColumnView::categorical("cat" + std::to_string(j), codes[j], labels[j]));
  }
  const assay::TableView table(views);
  std::vector<const std::vector<double>*> high, low;  // kinds 0-1: ~1M distinct; 2-3: few
  for (int j = 0; j < 40; ++j) (j % 4 < 2 ? high : low).push_back(&numeric[j]);

  volatile double sink = 0;
  const std::function<void()> read_once_pass = [&] {
    double total = 0;
    for (const auto& column : numeric) {
      double lanes[8] = {};
      std::size_t i = 0;
      for (; i + 8 <= rows; i += 8) {
        for (int l = 0; l < 8; ++l) lanes[l] += column[i + l];
      }
      for (; i < rows; ++i) lanes[0] += column[i];
      for (double lane : lanes) total += lane;
    }
    sink = total;
  };
  const double read_once = median_seconds(repeats, read_once_pass);
  auto over_columns = [&](const std::vector<const std::vector<double>*>& columns, auto&& work) {
    std::vector<assay::NonMissingSorter> sorters(static_cast<std::size_t>(threads));
    assay::parallel_for(static_cast<std::ptrdiff_t>(columns.size()), threads, [&](std::ptrdiff_t k) {
      work(*columns[static_cast<std::size_t>(k)], sorters[static_cast<std::size_t>(omp_get_thread_num())]);
    });
  };
  std::vector<std::size_t> all_columns(table.n_columns());
  for (std::size_t j = 0; j < all_columns.size(); ++j) all_columns[j] = j;

  struct Row {
    std::string what;
    double seconds;
    double ratio;      // median of (this time / a read-once pass timed just before it) over the repeats
    double cpu_ratio;  // the same with CPU time (all threads), which other processes' load shifts less
  };
  assay::quality::ProfileOptions one_pass;
  one_pass.exact = false;
  struct Case {
    std::string what;
    bool sketch_mode;
    std::function<void()> work;
  };
  const std::vector<Case> cases = {
      {"assay::quality::check (profile + every check)", false,
       [&] { sink = static_cast<double>(assay::quality::check(table, "", nullptr, {}).findings.size()); }},
      {"assay::quality::check, n_jobs=1", false,
       [&] { sink = static_cast<double>(assay::quality::check(table, "", nullptr, {}, {}, {}, 1).findings.size()); }},
      {"assay::quality::profile_table, exact (orders each column)", false,
       [&] { sink = assay::quality::profile_table(table).numeric[0].mean; }},
      {"assay::quality::profile_table, exact=false (one-pass sketch mode)", true,
       [&] { sink = assay::quality::profile_table(table, one_pass).numeric[0].mean; }},
      {"assay::quality::profile_table, exact=false, n_jobs=1", true,
       [&] { sink = assay::quality::profile_table(table, one_pass, 1).numeric[0].mean; }},
      {"assay::quality::check, exact=false (one-pass sketch mode)", true,
       [&] {
         sink = static_cast<double>(assay::quality::check(table, "", nullptr, {}, {}, one_pass).findings.size());
       }},
      {"piece: order the 20 columns with ~1M distinct values (vqsort)", false,
       [&] { over_columns(high, [&](const auto& c, auto& sorter) { sink = sorter.sort(c).size(); }); }},
      {"piece: count the 20 columns with few distinct values into runs", false,
       [&] { over_columns(low, [&](const auto& c, auto& sorter) { sink = sorter.sort(c).size(); }); }},
      {"piece: HyperLogLog sketch of the 20 high-cardinality columns", false,
       [&] {
         over_columns(high, [&](const auto& c, auto&) {
           assay::HyperLogLog sketch;
           sketch.add_doubles(c);
           sink = sketch.estimate();
         });
       }},
      {"piece: row hashes of the 50 columns (duplicate rows)", false,
       [&] { sink = static_cast<double>(assay::hash_rows(table, all_columns, 0)[0]); }},
  };
  std::vector<Row> results;
  for (const Case& c : cases) {
    if (!c.sketch_mode && sketch_only) continue;
    c.work();  // warm-up
    std::vector<double> seconds, ratios, cpu_ratios;
    for (int r = 0; r < repeats; ++r) {
      const double before = seconds_of_one(read_once_pass);
      const double cpu_before = cpu_seconds_of_one(read_once_pass);
      const double cpu = cpu_seconds_of_one(c.work);
      seconds.push_back(seconds_of_one(c.work));
      ratios.push_back(seconds.back() / before);
      cpu_ratios.push_back(cpu / cpu_before);
    }
    results.push_back({c.what, median(seconds), median(ratios), median(cpu_ratios)});
  }
  std::printf(
      "| %zu rows x 50 columns, %d threads | median time | time / read-once pass (paired) | CPU time / read-once CPU "
      "time |\n|---|---:|---:|---:|\n",
      rows, threads);
  std::printf("| read-once pass over the numeric data (1 thread) | %.1f ms | 1.0x | 1.0x |\n", read_once * 1e3);
  for (const Row& row : results) {
    std::printf("| %s | %.1f ms | %.1fx | %.1fx |\n", row.what.c_str(), row.seconds * 1e3, row.ratio, row.cpu_ratio);
  }
  auto row_of = [&](const std::string& prefix) {
    return *std::find_if(results.begin(), results.end(), [&](const Row& r) { return r.what.starts_with(prefix); });
  };
  auto seconds_of = [&](const std::string& prefix) { return row_of(prefix).seconds; };
  auto ratio_of = [&](const std::string& prefix) { return row_of(prefix).ratio; };
  std::printf(
      "\nSketch mode / read-once pass (goal <= 4x): profile %.1fx (n_jobs=1: %.1fx), check %.1fx; in CPU time "
      "profile %.1fx (n_jobs=1: %.1fx), check %.1fx.",
      ratio_of("assay::quality::profile_table, exact=false ("),
      ratio_of("assay::quality::profile_table, exact=false, n_jobs=1"), ratio_of("assay::quality::check, exact=false"),
      row_of("assay::quality::profile_table, exact=false (").cpu_ratio,
      row_of("assay::quality::profile_table, exact=false, n_jobs=1").cpu_ratio,
      row_of("assay::quality::check, exact=false").cpu_ratio);
  if (!sketch_only) {
    const double ordering = seconds_of("piece: order") + seconds_of("piece: count");
    std::printf(" Exact mode / its ordering floor (the two ordering pieces, goal <= 2x): profile %.1fx, check %.1fx.",
                seconds_of("assay::quality::profile_table, exact (") / ordering,
                seconds_of("assay::quality::check (") / ordering);
  }
  std::printf("\n");
  return 0;
}
