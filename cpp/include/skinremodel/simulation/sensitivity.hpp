// Forward sensitivities: derivatives of every state with respect to chosen nominal parameters
// (before the patient's covariates are applied) and session depths, integrated alongside a
// simulation. The method is described in docs/fitting.md.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "skinremodel/simulation/simulate.hpp"

namespace skinremodel {

// One column of the sensitivity matrix: d/d params[index], d/d sessions[index].depth_mm or
// d/d sessions[index].time (the day of the session: the jump moves, see sensitivity.cpp).
struct SensitivityColumn {
    enum class Kind { parameter, depth, day };
    Kind kind = Kind::parameter;
    std::size_t index = 0;
};

// The column of a name: a parameter name (e.g. "s_w"), "depth_mm[k]" for the needle depth of
// sessions[k] or "day[k]" for its day (k counted from 0); the one parser of these names (the
// Python layer calls it through skinremodel._core.sensitivity_column). Throws InvalidInput for an
// unknown or malformed name, or a session index outside [0, n_sessions).
SensitivityColumn sensitivity_column(const std::string& name, std::size_t n_sessions);

// The columns of several names; also throws InvalidInput for a name listed twice.
std::vector<SensitivityColumn> sensitivity_columns(const std::vector<std::string>& names,
                                                   std::size_t n_sessions);

struct SensitivityStats {
    std::size_t steps = 0;                   // steps of the sensitivity method (= accepted steps)
    std::size_t derivative_evaluations = 0;  // dual-number right-hand sides (one per chunk)
    std::size_t jacobian_evaluations = 0;
    std::size_t lu_decompositions = 0;
    std::size_t chunk_width = 0;  // directions per dual-number evaluation
};

// Arrays are row-major with the column index last: s is (t_out, state, column).
struct SensitivityTrajectory {
    Trajectory trajectory;  // identical to simulate(request)
    std::size_t columns = 0;
    std::vector<double> s;             // d y(t_out[r]) / d column (post-session on session days)
    std::vector<double> pre_session;   // (session, state, column): left limits at sessions
    std::vector<double> post_session;  // (session, state, column): right after each jump
    // For a column day[k], both are limits of the output sensitivities at the fixed day t_k: the
    // left limit is 0 for session k itself, and the right limit is (dJ/dy) f(y-) - f(y+).
    std::vector<double> baseline;   // (state, column): the pre-treatment steady state
    std::vector<double> effective;  // (parameter, column): the patient's effective parameters
    SensitivityStats stats;
};

// Simulates the request and the sensitivities of all 14 states. Throws like simulate().
SensitivityTrajectory simulate_sensitivities(const SimulationRequest& request,
                                             const std::vector<SensitivityColumn>& columns);

}  // namespace skinremodel
