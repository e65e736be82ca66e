#pragma once
// What every model-file loader shares: its errors. A model file is untrusted input; any
// problem with it (malformed syntax, a missing field, a tree that is not a tree) is an
// UnsupportedModel naming the format, and the message holds printable ASCII only (the
// bytes of a malformed file are shown as \xNN escapes), so that every caller, Python
// included, can show it.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "assay/common/error.hpp"

namespace assay::explain::detail {

inline std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

// The IR holds n_outputs leaf values per node (zeros for the trees of other outputs):
// refuse a file whose nodes x outputs would not fit before storing them.
inline void check_leaf_value_entries(std::size_t n_nodes, std::size_t n_outputs) {
  constexpr std::size_t kMaxEntries = std::size_t{1} << 28;  // 2 GiB of doubles
  if (n_outputs != 0 && n_nodes > kMaxEntries / n_outputs) {
    throw ResourceLimit("model: " + std::to_string(n_nodes) + " nodes x " + std::to_string(n_outputs) +
                        " outputs leaf values exceed the limit of " + std::to_string(kMaxEntries));
  }
}

// Runs load() (which returns the finalized ensemble) and turns its InvalidArgument
// errors into UnsupportedModel("<format>: ..."); ResourceLimit errors stay what they
// are (a model too large to hold), with a printable message.
template <class Load>
auto load_model_file(std::string_view format, Load&& load) -> decltype(load()) {
  try {
    return std::forward<Load>(load)();
  } catch (const ResourceLimit& error) {
    throw ResourceLimit(printable(error.what()));
  } catch (const InvalidArgument& error) {
    std::string message = printable(error.what());
    // The IR's own checks say "model: ..."; name the format instead.
    if (message.starts_with("model: ")) message.erase(0, 7);
    if (!message.starts_with(format)) message = std::string(format) + ": " + message;
    throw UnsupportedModel(message);
  }
}

}  // namespace assay::explain::detail
