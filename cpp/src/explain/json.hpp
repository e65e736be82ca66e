#pragma once
// A small JSON reader for model files (RFC 8259). It reads untrusted text: every
// error is an InvalidArgument naming `what`, nesting is limited, and nothing is read
// past the end of the input.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace assay::explain::json {

struct Member;

struct Value {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool boolean = false;
  double number = 0.0;
  std::string text;
  std::vector<Value> items;  // arrays
  // Objects. A named struct rather than std::pair<std::string, Value>: std::vector allows an
  // element type that is still incomplete here, std::pair does not (clang rejects it).
  std::vector<Member> members;

  // The member `key` of an object, or nullptr.
  const Value* find(std::string_view key) const;
};

struct Member {
  std::string key;
  Value value;
};

// Parses `text`; throws InvalidArgument("<what>: ...") on malformed input.
Value parse(std::string_view text, const std::string& what);

// Parses Universal Binary JSON (ubjson.org, draft 12; XGBoost's "ubj" format) into the
// same tree; the same guarantees on untrusted input (see ubjson.cpp).
Value parse_ubjson(std::string_view bytes, const std::string& what);

}  // namespace assay::explain::json
