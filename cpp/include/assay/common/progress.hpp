#pragma once
// Progress reporting and cancellation for long work.
//
// A long call takes a Progress. The core calls `report` from the thread that started
// the call only (outside parallel regions, or from OpenMP's master thread); the
// callback gets (done, total) and returns false to ask the work to stop, upon which
// the core throws assay::Interrupted. The Python bindings use this to draw progress
// bars and to honour Ctrl-C; a C++ caller may pass its own callback or none.
#include <cstddef>
#include <functional>

namespace assay {

class Progress {
 public:
  using Callback = std::function<bool(std::size_t done, std::size_t total)>;
  Progress() = default;
  explicit Progress(Callback callback) : callback_(std::move(callback)) {}

  // Throws Interrupted when the callback asks to stop.
  void report(std::size_t done, std::size_t total) const;
  bool active() const { return static_cast<bool>(callback_); }

 private:
  Callback callback_;
};

}  // namespace assay
