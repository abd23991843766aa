// x^(1/5) without a call to pow, for the step-size controller of methods whose error estimate
// has order 4 (Rodas5P, Dopri5): the controller takes one such root per step, and glibc's pow
// (26-28 ns, on the path from one step to the next) was 4-5% of a simulation's time; this takes
// 14 ns.
//
// Method: x = m 2^e with m in [1, 2) and e = 5 k + r (r in 0..4), so
// x^(1/5) = 2^k 2^(r/5) m^(1/5). m^(1/5) = c_j (1 + u)^(1/5) with c_j the root of the start
// m_j = 1 + j/32 of m's thirty-second of [1, 2) and u = (m - m_j) / m_j in [0, 1/32); (1 + u)^(1/5)
// is its Taylor polynomial of degree 5, whose truncation error is below 2e-11 (the next term is
// binom(1/5, 6) u^6, |binom(1/5, 6)| < 0.021). The tables are built once with std::pow. Powers
// of 32 (u = 0, r = 0) give their roots exactly: error_power(1) = 1 for the controller.
//
// Accuracy: within 1e-10 relative of std::pow for every positive normal double (a Catch2 test
// checks a dense grid from 1e-300 to 1e300). The controller's factor is a heuristic clipped to
// [1/6, 5] and multiplied by a safety factor of 0.9, so an error of that size in it changes step
// sizes in their last digits only; zero, subnormal, infinite and NaN arguments go to std::pow.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace skinremodel::numerics {

namespace detail {
struct FifthRootTables {
    std::array<double, 5> two_pow_fifths{};  // 2^(r/5)
    std::array<double, 32> start_root{};     // m_j^(1/5), m_j = 1 + j / 32
    std::array<double, 32> start_inverse{};  // 1 / m_j

    FifthRootTables() {
        for (int r = 0; r < 5; ++r) two_pow_fifths[r] = std::pow(2.0, r / 5.0);
        for (int j = 0; j < 32; ++j) {
            const double start = 1.0 + j / 32.0;
            start_root[j] = std::pow(start, 0.2);
            start_inverse[j] = 1.0 / start;
        }
    }
};

inline const FifthRootTables& fifth_root_tables() {
    static const FifthRootTables tables;
    return tables;
}
}  // namespace detail

inline double fifth_root(double x) {
    using limits = std::numeric_limits<double>;  // min(): the smallest positive normal double
    if (!(x >= limits::min() && x <= limits::max())) return std::pow(x, 0.2);
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    // e + 1025 >= 3 for normal numbers (e >= -1022), and 1025 = 5 x 205: non-negative division.
    const int biased = static_cast<int>(bits >> 52) + 2;  // e + 1025 (the sign bit is 0)
    const int k = biased / 5 - 205;
    const int r = biased % 5;
    const int j = static_cast<int>((bits >> 47) & 0x1F);  // m's thirty-second of [1, 2)
    std::uint64_t mantissa_bits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
    double m;
    std::memcpy(&m, &mantissa_bits, sizeof m);
    const std::uint64_t scale_bits = static_cast<std::uint64_t>(k + 1023) << 52;
    double scale;
    std::memcpy(&scale, &scale_bits, sizeof scale);

    const detail::FifthRootTables& t = detail::fifth_root_tables();
    const double u = (m - (1.0 + j / 32.0)) * t.start_inverse[j];  // m - m_j is exact
    // Taylor coefficients binom(1/5, n), n = 1..5, by Estrin's scheme (short dependency chains).
    const double u2 = u * u;
    const double p01 = 1.0 + 0.2 * u;
    const double p23 = -0.08 + 0.048 * u;
    const double p45 = -0.0336 + 0.025536 * u;
    const double p = p01 + u2 * (p23 + u2 * p45);
    return scale * t.two_pow_fifths[r] * t.start_root[j] * p;
}

}  // namespace skinremodel::numerics
