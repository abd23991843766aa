// Computations that ride along a simulation without changing it (the forward sensitivities of
// sensitivity.hpp) see the integration through this interface.
#pragma once

#include <cstddef>

#include "skinremodel/model/state.hpp"

namespace skinremodel {

// Follows a simulation as it runs. Calls arrive in time order: jump() at each session inside the
// horizon, step() after each accepted step (never for a rejected one), output() for each
// requested output time.
class IntegrationObserver {
public:
    // The method's dense output inside the step being reported.
    class DenseState {
    public:
        virtual void at(double t, State& y) const = 0;

    protected:
        ~DenseState() = default;
    };

    virtual ~IntegrationObserver() = default;
    // sessions[k] of the request (day t) took the state from y_before to y_after.
    virtual void jump(std::size_t k, double t, const State& y_before, const State& y_after) = 0;
    // An accepted step from (t_old, y_old) to (t_new, y_new), before non-negativity clipping.
    virtual void step(double t_old, const State& y_old, double t_new, const State& y_new,
                      const DenseState& dense) = 0;
    // The output t_out[index] = t was reported with the (clipped) state y.
    virtual void output(std::size_t index, double t, const State& y) = 0;
};

}  // namespace skinremodel
