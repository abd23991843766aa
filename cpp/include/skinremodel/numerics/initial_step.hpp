// The starting step of Hairer, Norsett & Wanner (Solving ODEs I, section II.4): about the step that
// keeps the local error of an explicit method of the given order within tolerance, from two
// evaluations of f.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace skinremodel::numerics {

// System: anything with size and operator()(x, dxdt, t) (see system.hpp). span bounds the result.
template <class System>
double initial_step(const System& sys, const std::array<double, System::size>& y0, double t0,
                    double span, double rtol, const std::array<double, System::size>& atol,
                    int order) {
    constexpr std::size_t n = System::size;
    std::array<double, n> f0, f1, y1, sk;
    sys(y0, f0, t0);
    double d0 = 0, d1 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sk[i] = atol[i] + rtol * std::abs(y0[i]);
        d0 += (y0[i] / sk[i]) * (y0[i] / sk[i]);
        d1 += (f0[i] / sk[i]) * (f0[i] / sk[i]);
    }
    d0 = std::sqrt(d0 / n);
    d1 = std::sqrt(d1 / n);
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min(h0, span);
    for (std::size_t i = 0; i < n; ++i) y1[i] = y0[i] + h0 * f0[i];
    sys(y1, f1, t0 + h0);
    double d2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = (f1[i] - f0[i]) / sk[i];
        d2 += r * r;
    }
    d2 = std::sqrt(d2 / n) / h0;
    const double dm = std::max(d1, d2);
    const double h1 =
        dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dm, 1.0 / (order + 1));
    return std::min({100.0 * h0, h1, span});
}

}  // namespace skinremodel::numerics
