#pragma once
// The group index: the one place where sensitive (and control) features become group
// ids. Every fairness metric reads it.
//
// Each feature is a categorical column (int32 level codes, -1 missing). A row's group
// is the mixed-radix number of its level codes, first feature most significant, so
// groups come out in lexicographic order of (level of feature 0, level of feature 1,
// ...). With `observed` only combinations that occur get an id; otherwise every
// combination of the features' levels does (the full Cartesian product, as fairlearn
// indexes intersections), and unobserved combinations are empty groups.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace assay::fairness {

// What a missing level (code -1) does to a row.
enum class MissingPolicy {
  error,      // throw InvalidArgument naming the feature
  own_group,  // the feature gets one extra level (code n_levels) for missing values
  drop,       // the row belongs to no group (row_group = -1)
};

struct GroupFeature {
  std::string name;
  std::span<const std::int32_t> codes;  // -1 = missing
  std::int32_t n_levels = 0;            // codes lie in [-1, n_levels)
};

struct GroupIndex {
  std::int32_t n_groups = 0;
  std::vector<std::int32_t> row_group;          // per row; -1 for dropped rows
  std::vector<std::vector<std::int32_t>> keys;  // keys[f][g]: level of feature f in group g
  std::vector<std::int64_t> group_rows;         // rows per group (0 for empty intersections)
  std::vector<std::int64_t> missing_rows;       // per feature: rows with a missing level
  std::int64_t dropped_rows = 0;                // rows with row_group = -1
};

// Throws InvalidArgument when features differ in length, a code lies outside
// [-1, n_levels), the policy is `error` and a value is missing, or (Cartesian product)
// the number of combinations exceeds 2^31 - 1.
GroupIndex build_group_index(std::span<const GroupFeature> features, MissingPolicy missing, bool observed, int n_jobs);

// A stable counting sort of the rows by group: rows of group g are
// order[offsets[g] .. offsets[g + 1]) in their original order. Dropped rows are left
// out. Used to hand user-defined metrics contiguous slices and by rank metrics.
struct GroupOrder {
  std::vector<std::int64_t> order;
  std::vector<std::int64_t> offsets;  // n_groups + 1 entries
};
// row_group as in GroupIndex; throws InvalidArgument on an entry outside [-1, n_groups).
GroupOrder sort_rows_by_group(std::span<const std::int32_t> row_group, std::int32_t n_groups);

}  // namespace assay::fairness
