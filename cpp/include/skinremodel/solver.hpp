// Simulation of a patient under a schedule of sessions: piecewise integration between sessions,
// exact jumps at session times, dense output at requested times, threshold crossings.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "skinremodel/parameters.hpp"
#include "skinremodel/patient.hpp"
#include "skinremodel/schedule.hpp"
#include "skinremodel/state.hpp"

namespace skinremodel {

enum class Method {
    rodas5p,  // L-stable, stiffly accurate Rosenbrock 5(4), 8 stages (Steinebach 2023); default
    rodas4,   // L-stable, stiffly accurate Rosenbrock 4(3) (Hairer-Wanner RODAS coefficients)
    dopri5,   // explicit Dormand-Prince 5(4) from Boost.Odeint
};

// "rodas5p", "rodas4" or "dopri5"; throws InvalidInput
Method method_from_name(std::string_view name);
std::string_view method_name(Method method);

struct SolverOptions {
    Method method = Method::rodas5p;
    double rtol = 1e-6;
    State atol = default_atol();
    std::size_t max_steps = 200000;  // accepted + rejected steps per simulation
    double initial_step = 0.0;       // days; 0 chooses it automatically after every session
    double max_step = 0.0;           // days; 0 means no limit beyond the segment length

    // Design section 2.9: 1e-9 for most states, 1e-10 for soluble tropoelastin.
    static State default_atol();
};

void check_options(const SolverOptions& options);  // throws InvalidInput

// Output times must be finite, >= 0, sorted and within the horizon t_end; throws InvalidInput.
void check_output_times(const std::vector<double>& t_out, double t_end);

// A threshold on a linear combination of states: g(y) = weights . y - level.
struct LinearEvent {
    State weights{};
    double level = 0.0;
};

// A change of sign of g, located by bisection on the dense output (or at a session jump).
struct Crossing {
    std::size_t event = 0;
    double time = 0.0;
    int direction = 0;         // +1 upward, -1 downward
    bool at_session = false;   // caused by a session jump rather than by the flow
};

struct SolverStats {
    std::size_t steps = 0;            // accepted steps
    std::size_t rejected_steps = 0;
    std::size_t rhs_evaluations = 0;
    std::size_t jacobian_evaluations = 0;
    std::size_t lu_decompositions = 0;
    std::size_t clipped_steps = 0;    // steps after which a slightly negative state was set to 0
};

struct Trajectory {
    std::vector<double> t;                 // requested output times
    std::vector<double> y;                 // row-major, t.size() x kNumStates
    std::vector<double> session_times;     // sessions inside the horizon
    std::vector<double> pre_session;       // left limits, row-major, sessions x kNumStates
    std::vector<double> post_session;      // states right after each jump
    std::vector<double> doses;             // u of each session
    std::vector<Crossing> crossings;
    SolverStats stats;
};

struct SimulationRequest {
    Params params = default_parameters();  // nominal parameters; covariates are applied inside
    Patient patient{};
    std::vector<Session> sessions;
    std::vector<double> t_out;             // sorted, >= 0; the horizon is t_out.back() unless t_end
    double t_end = -1.0;                   // < 0 means t_out.back()
    SolverOptions options{};
    std::vector<LinearEvent> events;
};

// Runs one simulation. Throws InvalidInput for bad input and SolverError when the integrator
// cannot finish (the step budget is a hard bound, so it never hangs).
Trajectory simulate(const SimulationRequest& request);

// Follows a simulation as it runs, for computations that ride along the integration without
// changing it (the forward sensitivities of sensitivity.hpp). Calls arrive in time order:
// jump() at each session inside the horizon, step() after each accepted step (never for a
// rejected one), output() for each requested output time.
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

// simulate() with an observer; the trajectory is the same as without one.
Trajectory simulate(const SimulationRequest& request, IntegrationObserver& observer);

}  // namespace skinremodel
