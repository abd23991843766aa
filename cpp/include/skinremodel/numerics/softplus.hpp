// softplus(z) = log(1 + exp(z)) in double precision without calls to exp and log1p: one table
// lookup and one polynomial of degree 10 (tools/softplus_table.py writes the table and checks
// it). Right-hand sides that evaluate it at every stage spend most of their time in exp and log1p
// otherwise (their latency, 30 ns together, is on the critical path of a Rosenbrock stage).
//
// Accuracy: log(1 + exp(-a)) for a in [0, 38) is within 0.81 units in the last place of the exact
// value on the table's check points (glibc's log1p(exp(-a)) within 1.15), so softplus differs
// from max(z, 0) + log1p(exp(-|z|)) by rounding only (a Catch2 test compares them on a dense
// grid). For a >= 38, log(1 + exp(-a)) < 3.2e-17 is below the rounding of anything it is added
// to but is still returned accurately (exp(-a), log1p(u) = u at that size).
#pragma once

#include <cmath>
#include <cstddef>

namespace skinremodel::numerics {

namespace detail {
// Row i: log(1 + exp(-a)) on [i/4, (i+1)/4) as c0 + t (c1 + t (c2 + ...)), t = a - (i + 1/2)/4,
// with c0 in two doubles (hi, lo).
alignas(64) inline constexpr double kLog1pExpNeg[152][12] = {
#include "skinremodel/numerics/softplus_table.inc"
};
}  // namespace detail

// log(1 + exp(-a)) for a >= 0 (NaN gives NaN).
inline double log1p_exp_neg(double a) {
    if (!(a < 38.0)) return std::exp(-a);
    const int i = static_cast<int>(a * 4.0);
    const double t = a - (0.25 * i + 0.125);
    const double* c = detail::kLog1pExpNeg[i];
    // Estrin's scheme for the part of degree >= 1 (short chains of dependent operations), the
    // constant term added last; tools/softplus_table.py evaluates it in the same order.
    const double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4;
    const double q01 = c[2] + c[3] * t, q23 = c[4] + c[5] * t, q45 = c[6] + c[7] * t;
    const double q67 = c[8] + c[9] * t, q89 = c[10] + c[11] * t;
    const double q03 = q01 + q23 * t2, q47 = q45 + q67 * t2;
    const double q = q03 + q47 * t4 + q89 * t8;
    return c[0] + (c[1] + t * q);
}

// log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|)), without overflow.
inline double softplus(double z) {
    return (z > 0.0 ? z : 0.0) + log1p_exp_neg(std::abs(z));
}

}  // namespace skinremodel::numerics
