// Dormand-Prince 5(4) from Boost.Odeint, with the interface of the Rosenbrock stepper
// (rosenbrock.hpp): odeint supplies the stages, the embedded error estimate and the continuous
// extension; the caller supplies step-size control (controller.hpp), shared with the Rosenbrock
// methods. System: anything with size, state_type and operator()(x, dxdt, t) (system.hpp).
#pragma once

#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>
#include <cstddef>
#include <functional>

namespace skinremodel::numerics {

template <class System>
class Dopri5 {
public:
    using state_type = typename System::state_type;
    static constexpr int order = 5;
    static constexpr int error_order = 4;
    static constexpr bool predictive_controller = false;

    // FSAL: the derivative at the start of a step is the last stage of the previous one.
    void begin(const System& sys, const state_type& x, double t) { sys(x, dxdt_, t); }
    void restart(const System& sys, const state_type& x, double t) { sys(x, dxdt_, t); }

    bool try_step(const System& sys, const state_type& x, double t, double dt, bool /*retry*/,
                  state_type& xout, state_type& xerr) {
        stepper_.do_step(std::cref(sys), x, dxdt_, t, xout, dxdt_new_, dt, xerr);
        return true;
    }

    void accept(const System&) {
        dxdt_old_ = dxdt_;
        dxdt_ = dxdt_new_;
    }

    void interpolate(double t, state_type& x, const state_type& x_old, double t_old,
                     const state_type& x_new, double t_new) const {
        stepper_.calc_state(t, x, x_old, dxdt_old_, t_old, x_new, dxdt_, t_new);
    }

    std::size_t lu_decompositions() const { return 0; }

private:
    boost::numeric::odeint::runge_kutta_dopri5<state_type> stepper_;
    state_type dxdt_{}, dxdt_new_{}, dxdt_old_{};
};

}  // namespace skinremodel::numerics
