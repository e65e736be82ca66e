#pragma once
// The errors the core throws. Every message names the input it is about, so that a
// caller (C++ or, through the bindings, Python) can tell the user what to fix.
//
// Python sees them as the classes of `assay.errors` (all subclasses of AssayError, a
// ValueError): InvalidArgument -> InvalidInputError, InvalidType -> InvalidTypeError
// (also a TypeError), ResourceLimit -> ResourceLimitError, UnsupportedModel ->
// UnsupportedModelError, CorruptedState -> CorruptedStateError; Interrupted becomes
// KeyboardInterrupt.
#include <stdexcept>
#include <string>

namespace assay {

// Base of every error assay throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value is out of range, inconsistent with another input, or otherwise unusable.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// An input has a type or kind the call does not accept.
class InvalidType : public Error {
 public:
  using Error::Error;
};

// A requested size (rows x samples, groups, bins, replicates, ...) cannot fit in memory
// or in the index types; raised before anything of that size is allocated.
class ResourceLimit : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

// A model file or object that is well formed but uses a feature assay does not support,
// or that is malformed.
class UnsupportedModel : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

// Serialized bytes or JSON of a state that do not decode to a valid state.
class CorruptedState : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

// The caller asked long work to stop.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

}  // namespace assay
