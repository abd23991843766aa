// What one simulation returns.
#pragma once

#include <vector>

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
    std::vector<Crossing> crossings;
    SolverStats stats;
};

}  // namespace skinremodel
