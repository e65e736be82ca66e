// A bounded reader of Universal Binary JSON (ubjson.org, draft 12, the format of
// XGBoost's Booster.save_raw("ubj") and .ubj files) into the same Value tree as the
// JSON reader. The input is untrusted: every read is checked against the end of the
// input, container counts are checked against the bytes left before anything is
// allocated, nesting is limited, and every error is an InvalidArgument naming `what`.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "assay/common/error.hpp"
#include "json.hpp"

namespace assay::explain::json {

namespace {

constexpr int kMaxNesting = 200;

class UbjsonParser {
 public:
  UbjsonParser(std::string_view bytes, const std::string& what) : bytes_(bytes), what_(what) {}

  Value document() {
    Value value = parse_value(next_marker(), 0);
    if (pos_ != bytes_.size()) fail("unexpected bytes after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw InvalidArgument(what_ + ": malformed UBJSON at byte " + std::to_string(pos_) + ": " + message);
  }

  std::size_t left() const { return bytes_.size() - pos_; }

  char next_byte() {
    if (pos_ >= bytes_.size()) fail("unexpected end of input");
    return bytes_[pos_++];
  }

  // The next type marker, skipping no-op markers.
  char next_marker() {
    char marker = next_byte();
    while (marker == 'N') marker = next_byte();
    return marker;
  }

  // A big-endian number of N bytes as an unsigned integer.
  template <int kBytes>
  std::uint64_t big_endian() {
    if (left() < kBytes) fail("truncated number");
    std::uint64_t out = 0;
    for (int i = 0; i < kBytes; ++i) out = (out << 8) | static_cast<unsigned char>(bytes_[pos_++]);
    return out;
  }

  // An integer of the given marker (i, U, I, l, L), or fail.
  std::int64_t integer(char marker) {
    switch (marker) {
      case 'i':
        return static_cast<std::int8_t>(big_endian<1>());
      case 'U':
        return static_cast<std::uint8_t>(big_endian<1>());
      case 'I':
        return static_cast<std::int16_t>(big_endian<2>());
      case 'l':
        return static_cast<std::int32_t>(big_endian<4>());
      case 'L':
        return static_cast<std::int64_t>(big_endian<8>());
      default:
        fail(std::string("expected an integer, got marker '") + marker + "'");
    }
  }

  // A length or count: a non-negative integer no larger than `limit`.
  std::size_t length(std::size_t limit) {
    const std::int64_t n = integer(next_marker());
    if (n < 0) fail("negative length");
    if (static_cast<std::uint64_t>(n) > limit) fail("length " + std::to_string(n) + " exceeds the input");
    return static_cast<std::size_t>(n);
  }

  std::string string_body() {
    const std::size_t n = length(left());
    std::string out(bytes_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  // Bytes that a value of this marker occupies at least (after its marker).
  static std::size_t minimum_size(char marker) {
    switch (marker) {
      case 'Z':
      case 'T':
      case 'F':
      case 'N':
        return 0;
      case 'i':
      case 'U':
      case 'C':
        return 1;
      case 'I':
        return 2;
      case 'l':
      case 'd':
        return 4;
      case 'L':
      case 'D':
        return 8;
      default:
        return 1;  // strings, numbers in text, containers: at least one byte
    }
  }

  Value parse_value(char marker, int nesting) {
    if (nesting > kMaxNesting) fail("nesting too deep");
    Value value;
    switch (marker) {
      case 'Z':
        return value;
      case 'T':
      case 'F':
        value.kind = Value::Kind::boolean;
        value.boolean = marker == 'T';
        return value;
      case 'i':
      case 'U':
      case 'I':
      case 'l':
      case 'L':
        value.kind = Value::Kind::number;
        value.number = static_cast<double>(integer(marker));
        return value;
      case 'd':
        value.kind = Value::Kind::number;
        value.number = std::bit_cast<float>(static_cast<std::uint32_t>(big_endian<4>()));
        return value;
      case 'D':
        value.kind = Value::Kind::number;
        value.number = std::bit_cast<double>(big_endian<8>());
        return value;
      case 'C':
        value.kind = Value::Kind::string;
        value.text = std::string(1, next_byte());
        return value;
      case 'S':
        value.kind = Value::Kind::string;
        value.text = string_body();
        return value;
      case 'H': {
        // A high-precision number, written as text.
        const std::string text = string_body();
        value = parse(text, what_);
        if (value.kind != Value::Kind::number) fail("high-precision number is not a number");
        return value;
      }
      case '[':
        value.kind = Value::Kind::array;
        container(value, ']', nesting);
        return value;
      case '{':
        value.kind = Value::Kind::object;
        container(value, '}', nesting);
        return value;
      default:
        fail(std::string("unknown marker '") + marker + "'");
    }
  }

  // The items of an array or the members of an object, in any of the three forms:
  // items up to the closing marker, '#' count, or '$' type and '#' count.
  void container(Value& value, char closing, int nesting) {
    const bool object = closing == '}';
    char type = 0;
    if (pos_ < bytes_.size() && bytes_[pos_] == '$') {
      ++pos_;
      type = next_byte();
      if (pos_ >= bytes_.size() || bytes_[pos_] != '#') fail("a typed container needs a count");
    }
    if (pos_ < bytes_.size() && bytes_[pos_] == '#') {
      ++pos_;
      // Each entry takes at least its value's bytes (and, in objects, a key length and a
      // marker), so a count beyond the bytes left is malformed; zero-size entries (null,
      // booleans) are limited to one per byte of input as well.
      const std::size_t per_entry = std::max<std::size_t>(1, (type ? minimum_size(type) : 1) + (object ? 2 : 0));
      const std::size_t count = length(std::max<std::size_t>(left(), 1) / per_entry + 1);
      if (object)
        value.members.reserve(count);
      else
        value.items.reserve(count);
      for (std::size_t i = 0; i < count; ++i) entry(value, object, type, nesting);
      return;
    }
    if (type != 0) fail("a typed container needs a count");
    while (true) {
      if (pos_ >= bytes_.size()) fail("unterminated container");
      if (bytes_[pos_] == 'N') {
        ++pos_;
        continue;
      }
      if (bytes_[pos_] == closing) {
        ++pos_;
        return;
      }
      entry(value, object, 0, nesting);
    }
  }

  void entry(Value& value, bool object, char type, int nesting) {
    if (object) {
      std::string key = string_body();
      value.members.emplace_back(std::move(key), parse_value(type ? type : next_marker(), nesting + 1));
    } else {
      value.items.push_back(parse_value(type ? type : next_marker(), nesting + 1));
    }
  }

  std::string_view bytes_;
  const std::string& what_;
  std::size_t pos_ = 0;
};

}  // namespace

Value parse_ubjson(std::string_view bytes, const std::string& what) { return UbjsonParser(bytes, what).document(); }

}  // namespace assay::explain::json
