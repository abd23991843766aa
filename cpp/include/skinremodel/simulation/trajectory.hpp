// What one simulation returns.
#pragma once

#include <vector>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/state.hpp"
#include "skinremodel/simulation/events.hpp"
#include "skinremodel/simulation/stats.hpp"

namespace skinremodel {

struct Trajectory {
    std::vector<double> t;              // requested output times
    std::vector<double> y;              // row-major, t.size() x kNumStates
    std::vector<double> session_times;  // sessions inside the horizon
    std::vector<double> pre_session;    // left limits, row-major, sessions x kNumStates
    std::vector<double> post_session;   // states right after each jump
    std::vector<double> doses;          // u of each session
    std::vector<Crossing> crossings;    // of the model's events (simulation/thresholds.hpp)
    SolverStats stats;
    Params effective{};  // the patient's effective parameters (covariates applied)
    State baseline{};    // the patient's pre-treatment steady state
    // The summary of the crossings (summarize_events in simulation/thresholds.hpp):
    std::vector<double> time_above;    // events x sessions: days above the threshold per session
    std::vector<double> first_upward;  // per event: first upward crossing, NaN if none
};

}  // namespace skinremodel
