#pragma once
// Content fingerprints of tables that do not depend on the order of the rows.
//
// Definition: the columns are taken in the order of their names (byte-wise); each column
// has a key, hash_string("numeric:" + name) or hash_string("categorical:" + name); each row
// is hashed by RowHasher over those columns with those keys (a number by its canonical
// float64 bits, -0.0 as 0.0 and every NaN alike; a category by its label's hash, a missing
// one by a constant), and the row hashes are combined by their sum modulo 2^64 and their
// exclusive or. Sum and xor are associative and commutative, so the fingerprint does not
// depend on row order, on how the rows are split into blocks or threads, or on the
// categorical codes; the sum also counts repeated rows. A fingerprint of a union of row
// sets is the merge of theirs.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "assay/common/table.hpp"

namespace assay {

struct TableFingerprint {
  std::uint64_t sum = 0;           // of the row hashes, modulo 2^64
  std::uint64_t exclusive_or = 0;  // of the row hashes
  std::int64_t rows = 0;
  std::int64_t columns = 0;

  friend bool operator==(const TableFingerprint&, const TableFingerprint&) = default;
};

// The fingerprint's column order (indices into the table, by name) and per-column keys.
std::vector<std::size_t> fingerprint_columns(const TableView& table);
std::uint64_t fingerprint_key(const ColumnView& column);

// The fingerprint, in one pass over the rows (parallel over fixed blocks of rows).
TableFingerprint fingerprint_table(const TableView& table, int n_jobs = 0);

// The fingerprint and the row hashes it folded (one per row, in the table's order), for a
// caller that also needs them (the quality check groups identical rows by them).
struct FingerprintedRows {
  TableFingerprint fingerprint;
  std::vector<std::uint64_t> hashes;
};
FingerprintedRows fingerprint_rows(const TableView& table, int n_jobs = 0);

// The fingerprint of the rows of both: throws InvalidArgument when the column counts
// differ (the fingerprints cannot be of two parts of one table).
TableFingerprint merge(const TableFingerprint& a, const TableFingerprint& b);

}  // namespace assay
