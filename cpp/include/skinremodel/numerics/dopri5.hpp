// Dormand-Prince 5(4) from Boost.Odeint: odeint supplies the stages, the embedded error estimate
// and the continuous extension; our driver supplies step-size control with per-state tolerances,
// the step budget and non-negativity, shared with the Rosenbrock method.
#pragma once

#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>

#include "skinremodel/model/state.hpp"
#include "skinremodel/model/system.hpp"

namespace skinremodel::numerics {

class Dopri5 {
public:
    static constexpr int order = 5;
    static constexpr int error_order = 4;
    static constexpr bool predictive_controller = false;

    // FSAL: the derivative at the start of a step is the last stage of the previous one.
    void begin(const Mn14System& sys, const State& x, double t) { sys(x, dxdt_, t); }
    void restart(const Mn14System& sys, const State& x, double t) { sys(x, dxdt_, t); }

    bool try_step(const Mn14System& sys, const State& x, double t, double dt, bool /*retry*/,
                  State& xout, State& xerr) {
        stepper_.do_step(std::cref(sys), x, dxdt_, t, xout, dxdt_new_, dt, xerr);
        return true;
    }

    void accept(const Mn14System&) {
        dxdt_old_ = dxdt_;
        dxdt_ = dxdt_new_;
    }

    void interpolate(double t, State& x, const State& x_old, double t_old, const State& x_new,
                     double t_new) const {
        stepper_.calc_state(t, x, x_old, dxdt_old_, t_old, x_new, dxdt_, t_new);
    }

    std::size_t lu_decompositions() const { return 0; }

private:
    boost::numeric::odeint::runge_kutta_dopri5<State> stepper_;
    State dxdt_{}, dxdt_new_{}, dxdt_old_{};
};

}  // namespace skinremodel::numerics
