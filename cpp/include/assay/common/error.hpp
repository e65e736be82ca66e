#pragma once
// The errors the core throws. Every message names the input it is about, so that a
// caller (C++ or, through the bindings, Python) can tell the user what to fix.
#include <stdexcept>
#include <string>

namespace assay {

// Base of every error assay throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value is out of range, inconsistent with another input, or otherwise unusable
// (Python: ValueError).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// An input has a type or kind the call does not accept (Python: TypeError).
class InvalidType : public Error {
 public:
  using Error::Error;
};

// The caller asked long work to stop (Python: KeyboardInterrupt).
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

}  // namespace assay
