#include "assay/fairness/groups.hpp"

#include <algorithm>
#include <limits>

#include "assay/common/error.hpp"
#include "assay/common/limits.hpp"
#include "assay/common/parallel.hpp"

namespace assay::fairness {

namespace {

constexpr std::uint64_t kDroppedCode = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t kBlockRows = 1 << 16;
// Up to this many combinations, observed combinations are found with a dense marker
// array; beyond it, by sorting the distinct codes.
constexpr std::uint64_t kDenseLimit = std::uint64_t{1} << 24;

}  // namespace

GroupIndex build_group_index(std::span<const GroupFeature> features, MissingPolicy missing, bool observed, int n_jobs) {
  if (features.empty()) throw InvalidArgument("sensitive_features: at least one feature is required");
  const std::size_t n = features[0].codes.size();
  const std::size_t n_features = features.size();
  std::vector<std::uint64_t> radix(n_features);
  std::uint64_t n_combinations = 1;
  for (std::size_t f = 0; f < n_features; ++f) {
    const auto& feature = features[f];
    if (feature.codes.size() != n) {
      throw InvalidArgument("sensitive feature '" + feature.name + "' has " + std::to_string(feature.codes.size()) +
                            " rows but '" + features[0].name + "' has " + std::to_string(n));
    }
    if (feature.n_levels < 0) throw InvalidArgument("sensitive feature '" + feature.name + "': negative level count");
    radix[f] = static_cast<std::uint64_t>(feature.n_levels) + (missing == MissingPolicy::own_group ? 1 : 0);
    if (radix[f] == 0) radix[f] = 1;  // a feature without levels (every value missing, rows dropped)
    if (n_combinations > (std::uint64_t{1} << 62) / radix[f]) {
      throw InvalidArgument("sensitive_features: too many level combinations to index");
    }
    n_combinations *= radix[f];
  }
  if (!observed && n_combinations > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    throw ResourceLimit("sensitive_features: the Cartesian product of the levels has " +
                        std::to_string(n_combinations) + " combinations; use observed groups");
  }
  if (!observed) {
    // Every combination is a group: its code, keys and row count.
    require_fits("sensitive_features",
                 saturating_product({n_combinations, 16 + 4 * static_cast<std::uint64_t>(n_features)}),
                 "the Cartesian product of the levels (" + std::to_string(n_combinations) +
                     " combinations; use observed groups)");
  }

  GroupIndex index;
  index.missing_rows.assign(n_features, 0);
  const int threads = resolve_threads(n_jobs);
  const std::size_t blocks = n_blocks(n, kBlockRows);
  std::vector<std::uint64_t> codes(n);
  // Per block: rows with a missing value, per feature; and the first out-of-range row.
  std::vector<std::int64_t> block_missing(blocks * n_features, 0);
  parallel_for(static_cast<std::ptrdiff_t>(blocks), threads, [&](std::ptrdiff_t b) {
    const std::size_t begin = static_cast<std::size_t>(b) * kBlockRows, end = std::min(n, begin + kBlockRows);
    std::int64_t* missing_here = &block_missing[static_cast<std::size_t>(b) * n_features];
    for (std::size_t i = begin; i < end; ++i) {
      std::uint64_t code = 0;
      bool dropped = false;
      for (std::size_t f = 0; f < n_features; ++f) {
        std::int32_t level = features[f].codes[i];
        if (level < -1 || level >= features[f].n_levels) {
          throw InvalidArgument("sensitive feature '" + features[f].name + "': level code " + std::to_string(level) +
                                " at row " + std::to_string(i) + " is out of range");
        }
        if (level == -1) {
          ++missing_here[f];
          if (missing == MissingPolicy::own_group) {
            level = features[f].n_levels;
          } else {
            dropped = true;
            level = 0;
          }
        }
        code = code * radix[f] + static_cast<std::uint64_t>(level);
      }
      codes[i] = dropped ? kDroppedCode : code;
    }
  });
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t f = 0; f < n_features; ++f) index.missing_rows[f] += block_missing[b * n_features + f];
  }
  if (missing == MissingPolicy::error) {
    for (std::size_t f = 0; f < n_features; ++f) {
      if (index.missing_rows[f] > 0) {
        throw InvalidArgument("sensitive feature '" + features[f].name + "' has " +
                              std::to_string(index.missing_rows[f]) +
                              " missing values; choose missing='own_group' or missing='drop'");
      }
    }
  }

  // The combination code of each group id, ascending.
  std::vector<std::uint64_t> group_codes;
  if (!observed) {
    group_codes.resize(n_combinations);
    for (std::uint64_t c = 0; c < n_combinations; ++c) group_codes[c] = c;
  } else if (n_combinations <= kDenseLimit) {
    std::vector<std::uint8_t> seen(n_combinations, 0);
    for (const std::uint64_t code : codes) {
      if (code != kDroppedCode) seen[code] = 1;
    }
    for (std::uint64_t c = 0; c < n_combinations; ++c) {
      if (seen[c]) group_codes.push_back(c);
    }
  } else {
    group_codes = codes;
    std::sort(group_codes.begin(), group_codes.end());
    group_codes.erase(std::unique(group_codes.begin(), group_codes.end()), group_codes.end());
    if (!group_codes.empty() && group_codes.back() == kDroppedCode) group_codes.pop_back();
  }
  index.n_groups = static_cast<std::int32_t>(group_codes.size());

  // Map codes to ids: identity for the Cartesian product, a dense table or a binary
  // search otherwise.
  index.row_group.resize(n);
  std::vector<std::int32_t> dense_id;
  if (observed && n_combinations <= kDenseLimit) {
    dense_id.assign(n_combinations, -1);
    for (std::size_t g = 0; g < group_codes.size(); ++g) dense_id[group_codes[g]] = static_cast<std::int32_t>(g);
  }
  parallel_for(static_cast<std::ptrdiff_t>(blocks), threads, [&](std::ptrdiff_t b) {
    const std::size_t begin = static_cast<std::size_t>(b) * kBlockRows, end = std::min(n, begin + kBlockRows);
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint64_t code = codes[i];
      std::int32_t id;
      if (code == kDroppedCode) {
        id = -1;
      } else if (!observed) {
        id = static_cast<std::int32_t>(code);
      } else if (!dense_id.empty()) {
        id = dense_id[code];
      } else {
        id = static_cast<std::int32_t>(std::lower_bound(group_codes.begin(), group_codes.end(), code) -
                                       group_codes.begin());
      }
      index.row_group[i] = id;
    }
  });

  index.group_rows.assign(static_cast<std::size_t>(index.n_groups), 0);
  for (const std::int32_t g : index.row_group) {
    if (g < 0) {
      ++index.dropped_rows;
    } else {
      ++index.group_rows[static_cast<std::size_t>(g)];
    }
  }
  index.keys.assign(n_features, std::vector<std::int32_t>(group_codes.size()));
  for (std::size_t g = 0; g < group_codes.size(); ++g) {
    std::uint64_t code = group_codes[g];
    for (std::size_t f = n_features; f-- > 0;) {
      index.keys[f][g] = static_cast<std::int32_t>(code % radix[f]);
      code /= radix[f];
    }
  }
  return index;
}

GroupOrder sort_rows_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups) {
  if (n_groups < 0) throw InvalidArgument("n_groups must be non-negative");
  GroupOrder result;
  result.offsets.assign(static_cast<std::size_t>(n_groups) + 1, 0);
  for (std::size_t i = 0; i < row_group.size(); ++i) {
    const std::int32_t g = row_group[i];
    if (g < -1 || g >= n_groups) {
      throw InvalidArgument("row_group: group " + std::to_string(g) + " at row " + std::to_string(i) +
                            " is out of range");
    }
    if (g >= 0) ++result.offsets[static_cast<std::size_t>(g) + 1];
  }
  for (std::size_t g = 0; g < static_cast<std::size_t>(n_groups); ++g) result.offsets[g + 1] += result.offsets[g];
  result.order.resize(static_cast<std::size_t>(result.offsets.back()));
  std::vector<std::int64_t> next(result.offsets.begin(), result.offsets.end() - 1);
  for (std::size_t i = 0; i < row_group.size(); ++i) {
    const std::int32_t g = row_group[i];
    if (g >= 0)
      result.order[static_cast<std::size_t>(next[static_cast<std::size_t>(g)]++)] = static_cast<std::int64_t>(i);
  }
  return result;
}

}  // namespace assay::fairness
