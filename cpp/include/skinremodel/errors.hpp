// Exceptions of the core. The binding layer maps InvalidInput to ValueError and SolverError to
// skinremodel.SolverError (a RuntimeError); derived from std types so C++ callers can catch those.
#pragma once

#include <stdexcept>
#include <string>

namespace skinremodel {

// Bad input: names the field and the allowed range.
class InvalidInput : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The integrator could not finish (step budget exhausted, step size underflow, non-finite state).
class SolverError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace skinremodel
