// Options of the integrator and the checks of a simulation's inputs that do not involve the model.
#pragma once

#include <cstddef>
#include <vector>

#include "skinremodel/model/state.hpp"
#include "skinremodel/simulation/method.hpp"

namespace skinremodel {

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

// Throws InvalidInput naming the option and its range (simulation/limits.hpp).
void check_options(const SolverOptions& options);

// The horizon (last day) of a simulation must be within simulation/limits.hpp; throws InvalidInput.
void check_horizon(double t_end);

// Output times must be finite, >= 0, sorted and within the horizon t_end; throws InvalidInput.
void check_output_times(const std::vector<double>& t_out, double t_end);

}  // namespace skinremodel
