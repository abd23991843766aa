// Simulation of a patient under a schedule of sessions: piecewise integration between sessions,
// exact jumps at session times, dense output at requested times, threshold crossings. The pieces
// of a request and of its result have their own headers, included here for callers.
#pragma once

#include "skinremodel/simulation/events.hpp"
#include "skinremodel/simulation/method.hpp"
#include "skinremodel/simulation/observer.hpp"
#include "skinremodel/simulation/options.hpp"
#include "skinremodel/simulation/request.hpp"
#include "skinremodel/simulation/stats.hpp"
#include "skinremodel/simulation/thresholds.hpp"
#include "skinremodel/simulation/trajectory.hpp"

namespace skinremodel {

// Runs one simulation: the trajectory carries the patient's effective parameters, baseline, the
// crossings of the model's threshold events and their summary. Throws InvalidInput for bad input
// and SolverError when the integrator cannot finish (the step budget is a hard bound, so it never
// hangs).
Trajectory simulate(const SimulationRequest& request);

// simulate() with an observer; the trajectory is the same as without one.
Trajectory simulate(const SimulationRequest& request, IntegrationObserver& observer);

}  // namespace skinremodel
