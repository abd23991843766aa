// What the engine's Rosenbrock steppers (rodas4.hpp, rodas5p.hpp) share: the analytic Jacobian and
// the block LU of W = I / (gamma h) - J at the start of a step, and a dense output of the form
// x(s) = x_old (1 - s) + s (x_new + (1 - s) (d_0 + s (d_1 + s (d_2 + ...)))), s in [0, 1],
// with K per-state coefficient vectors d_k computed from the stages of the accepted step.
#pragma once

#include <array>
#include <cstddef>

#include "skinremodel/model/state.hpp"
#include "skinremodel/numerics/block_lu.hpp"
#include "skinremodel/model/system.hpp"

namespace skinremodel::numerics {

template <std::size_t K>
class RosenbrockBase {
public:
    static constexpr std::size_t n = kNumStates;

    // Nothing to carry between steps (no FSAL derivative).
    void begin(const Mn14System&, const State&, double) {}
    void restart(const Mn14System&, const State&, double) {}

    // Value of the dense output of the last accepted step [t_old, t_new] at t.
    void interpolate(double t, State& x, const State& x_old, double t_old, const State& x_new,
                     double t_new) const {
        const double s = (t - t_old) / (t_new - t_old);
        const double s1 = 1.0 - s;
        for (std::size_t i = 0; i < n; ++i) {
            double p = dense_[K - 1][i];
            for (std::size_t k = K - 1; k-- > 0;) p = dense_[k][i] + s * p;
            x[i] = x_old[i] * s1 + s * (x_new[i] + s1 * p);
        }
    }

    // The dense output is linear in its per-state data, so a linear function of the state
    // w . x(t) is a scalar polynomial of the same form: events evaluate it without interpolating
    // every state. Functional: any type with size, index[k] and weight[k] (the non-zero weights).
    struct ScalarInterpolant {
        double old_value = 0.0, new_value = 0.0;
        std::array<double, K> d{};
        // Value at the fraction s of the step, as interpolate() computes it per state.
        double at(double s) const {
            double p = d[K - 1];
            for (std::size_t k = K - 1; k-- > 0;) p = d[k] + s * p;
            return old_value * (1.0 - s) + s * (new_value + (1.0 - s) * p);
        }
    };
    template <class Functional>
    ScalarInterpolant project(const Functional& w, const State& x_old, const State& x_new) const {
        ScalarInterpolant p;
        for (std::size_t j = 0; j < w.size; ++j) {
            const std::size_t i = w.index[j];
            p.old_value += w.weight[j] * x_old[i];
            p.new_value += w.weight[j] * x_new[i];
            for (std::size_t k = 0; k < K; ++k) p.d[k] += w.weight[j] * dense_[k][i];
        }
        return p;
    }

    std::size_t lu_decompositions() const { return lu_decompositions_; }

protected:
    // Jacobian and f at (x, t) unless retrying a rejected step from the same point, then the
    // factorisation of W. Returns false if W is singular.
    bool prepare(const Mn14System& sys, const State& x, double t, double dt, bool retry,
                 double gamma) {
        if (!retry) {
            sys.jacobian(x, t, jac_, dfdt_);
            sys(x, dxdt_, t);
        }
        ++lu_decompositions_;
        return lu_.compute(jac_.data(), 1.0 / (gamma * dt));
    }

    Jacobian jac_;
    BlockLowerLU<kNumStates, kJacobianBlocks.size() - 1, kJacobianPattern, kJacobianBlocks> lu_;
    State dxdt_{}, dfdt_{};
    std::array<State, K> dense_{};

private:
    std::size_t lu_decompositions_ = 0;
};

}  // namespace skinremodel::numerics
