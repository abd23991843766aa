// The bounds of a simulation's settings, in the form of model/limits.hpp: tolerances, step
// budget and step sizes, the horizon. check_options() and the horizon check read them.
#pragma once

#include <array>
#include <cstddef>

#include "skinremodel/model/limits.hpp"

namespace skinremodel {

enum SolverLimit : std::size_t {
    limit_rtol,
    limit_atol,
    limit_max_steps,
    limit_initial_step,
    limit_max_step,
    limit_horizon,
    kNumSolverLimits
};

inline constexpr std::array<Limit, kNumSolverLimits> kSolverLimits = {{
    {"rtol", 1e-14, 0.1, true, true, false, "", "relative tolerance of the integrator"},
    {"atol", 0.0, 1.0, false, true, false, "", "absolute tolerance of each state"},
    {"max_steps", 1.0, 1e9, true, true, true, "",
     "steps (accepted and rejected) of one simulation; more is a SolverError"},
    {"initial_step", 0.0, kUnbounded, true, false, false, "days",
     "first step after each session; 0 chooses it automatically"},
    {"max_step", 0.0, kUnbounded, true, false, false, "days",
     "largest step; 0 means no limit beyond the time to the next session"},
    {"horizon", 0.0, 36500.0, false, true, false, "days", "last day of a simulation (100 years)"},
}};

inline const Limit& solver_limit(SolverLimit which) {
    return kSolverLimits[which];
}

}  // namespace skinremodel
