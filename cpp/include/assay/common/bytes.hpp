#pragma once
// The byte format of the engines' states (accumulators, profiles, sketches) that cross
// process boundaries: a Dask worker, a Spark task or a C++ program writes a state with
// ByteWriter, the merging side reads it with ByteReader.
//
// Layout: a 3-byte magic naming the kind of state, a format version byte, then the fields
// in native byte order (little-endian on every supported platform): fixed-size values, and
// arrays as a uint64 length followed by their elements. Reading never trusts the bytes:
// every failure is CorruptedState naming the state and what is wrong, and no size read
// from the bytes is allocated before it has been checked against the bytes that remain.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "assay/common/error.hpp"

namespace assay {

// Writes a state: the 4-byte magic (kind + version), then the fields in order.
class ByteWriter {
 public:
  explicit ByteWriter(const char* magic) { out_.append(magic, 4); }
  template <class T>
  void value(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <class T>
  void array(const std::vector<T>& v) {
    value<std::uint64_t>(v.size());
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads a state written by ByteWriter; `magic` is the 3-byte kind and the version byte,
// `what` names the state in error messages.
class ByteReader {
 public:
  ByteReader(const std::string& bytes, const char* magic, const char* what) : bytes_(bytes), what_(what) {
    if (bytes.size() < 4 || std::memcmp(bytes.data(), magic, 3) != 0) {
      fail("the bytes do not start with the " + std::string(magic, 3) +
           " marker (truncated, or another kind of state)");
    }
    if (bytes[3] != magic[3]) {
      // The byte as a number: the message must stay valid text whatever the bytes hold.
      fail("format version byte " + std::to_string(static_cast<unsigned char>(bytes[3])) +
           " is not supported (this build reads version '" + std::string(1, magic[3]) + "')");
    }
    pos_ = 4;
  }
  template <class T>
  T value(const char* field) {
    if (bytes_.size() - pos_ < sizeof(T)) fail(std::string("truncated before ") + field);
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  template <class T>
  std::vector<T> array(std::size_t expected, const char* field) {
    const auto size = value<std::uint64_t>(field);
    if (size != expected) {
      fail(std::string(field) + " holds " + std::to_string(size) + " values where the header implies " +
           std::to_string(expected));
    }
    if (size > (bytes_.size() - pos_) / sizeof(T)) fail(std::string("truncated inside ") + field);
    std::vector<T> v(size);
    if (size > 0) std::memcpy(v.data(), bytes_.data() + pos_, size * sizeof(T));
    pos_ += size * sizeof(T);
    return v;
  }
  void finish() const {
    if (pos_ != bytes_.size()) fail(std::to_string(bytes_.size() - pos_) + " unexpected bytes after the state");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw CorruptedState(std::string("bytes: not a valid serialised ") + what_ + ": " + why);
  }

 private:
  const std::string& bytes_;
  const char* what_;
  std::size_t pos_ = 0;
};

}  // namespace assay
