// Scalar helpers shared by double and automatic-differentiation code paths.
#pragma once

#include <cmath>

namespace skinremodel::numerics {

// max/min that keep the derivative of the selected branch (for dual numbers as well as double).
template <class T>
T smax(const T& a, const T& b) {
    return a < b ? b : a;
}
template <class T>
T smin(const T& a, const T& b) {
    return b < a ? b : a;
}

}  // namespace skinremodel::numerics
