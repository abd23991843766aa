// Step-size control for embedded methods, as odeint's rosenbrock4_controller does it: the
// weighted RMS error norm of Hairer & Wanner with per-component absolute tolerances, the
// elementary controller h_new = h (safety / err)^(1/(q+1)) (q the order of the error estimate)
// within bounds on the change, Gustafsson's predictive correction after accepted steps (for
// stiff methods: it keeps a step rejected for stiffness from growing back at once), and no
// growth right after a rejection.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "skinremodel/numerics/fifth_root.hpp"

namespace skinremodel::numerics {

// sqrt(mean_i (err_i / (atol_i + rtol max(|y_old_i|, |y_new_i|)))^2): <= 1 means within tolerance.
template <std::size_t N>
double weighted_rms_norm(const std::array<double, N>& err, const std::array<double, N>& y_old,
                         const std::array<double, N>& y_new, double rtol,
                         const std::array<double, N>& atol) {
    double sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
        const double sk = atol[i] + rtol * std::max(std::abs(y_old[i]), std::abs(y_new[i]));
        const double r = err[i] / sk;
        sum += r * r;
    }
    return std::sqrt(sum / static_cast<double>(N));
}

// ErrorOrder: the order q of the error estimate (3 for RODAS4, 4 for Rodas5P and Dopri5).
template <int ErrorOrder>
class StepSizeController {
public:
    static constexpr double safety = 0.9;
    static constexpr double max_factor = 6.0;  // h_new <= 6 h
    static constexpr double min_factor = 0.2;  // h_new >= h / 5

    explicit StepSizeController(bool predictive) : predictive_(predictive) {}

    // Forgets the history (the start of an integration, or after a discontinuity).
    void restart() {
        first_ = true;
        last_rejected_ = false;
        h_old_ = 0.0;
        power_old_ = 1.0;
    }

    // The step h was accepted with error norm err <= 1: the next step to try. The prediction's
    // (err^2 / err_old)^(1/(q+1)) is formed from the powers of err and err_old, so that a step
    // takes one power (a call to pow for Rodas5P's q = 4) instead of two.
    double accept(double h, double err) {
        const double power = error_power(err);
        double fac = std::clamp(power / safety, 1.0 / max_factor, 1.0 / min_factor);
        if (predictive_ && !first_) {
            const double pred = (h_old_ / h) * (power * power / power_old_) / safety;
            fac = std::max(fac, std::clamp(pred, 1.0 / max_factor, 1.0 / min_factor));
        }
        double h_next = h / fac;
        if (last_rejected_) h_next = std::min(h_next, h);
        h_old_ = h;
        // err_old = max(0.01, err), kept as its power.
        power_old_ = err >= 0.01 ? power : power_floor();
        first_ = false;
        last_rejected_ = false;
        return h_next;
    }

    // The step h was rejected with error norm err > 1 (or not finite: pass a large value): the
    // smaller step to retry with.
    double reject(double h, double err) {
        last_rejected_ = true;
        return h / std::min(std::max(error_power(err) / safety, 1.0), 1.0 / min_factor);
    }

    // True if a step this small cannot move t any more.
    static bool too_small(double h, double t) {
        return h < 16.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(t));
    }

    // x^(1 / (q + 1)) without a call to pow, which took 3-5% of a simulation's time (RODAS4,
    // Rodas5P): for q = 3 two square roots, for q = 4 fifth_root (within 1e-10 of pow).
    static double error_power(double x) {
        if constexpr (ErrorOrder == 3)
            return std::sqrt(std::sqrt(x));
        else if constexpr (ErrorOrder == 4)
            return fifth_root(x);
        else
            return std::pow(x, 1.0 / (ErrorOrder + 1));
    }

private:
    static double power_floor() {
        static const double p = error_power(0.01);
        return p;
    }

    bool predictive_;
    bool first_ = true;
    bool last_rejected_ = false;
    double h_old_ = 0.0;
    double power_old_ = 1.0;  // error_power(err_old), err_old = max(0.01, last accepted error)
};

}  // namespace skinremodel::numerics
