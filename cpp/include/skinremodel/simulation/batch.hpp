// Many simulations in one call: (parameter set, patient, plan) items run on a pool of threads.
//
// Every item is an independent call of simulate() whose result is written into the item's own
// pre-allocated slot, so the results do not depend on the number of threads or on scheduling and
// are bitwise identical to simulating the items one by one. An item that fails (bad input such as
// a dose that destroys the whole matrix, or a solver error) is recorded with its message and the
// other items are unaffected. To keep memory bounded for large runs, a batch keeps only the states
// at the requested output times, the post-session states, each item's effective parameters and
// baseline, and the summary of its threshold crossings (simulation/thresholds.hpp), never whole
// trajectories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/schedule.hpp"
#include "skinremodel/simulation/simulate.hpp"

namespace skinremodel {

// One simulation of a batch: indices into the shared tables of BatchRequest.
struct BatchItem {
    std::size_t params = 0;   // BatchRequest::params
    std::size_t patient = 0;  // BatchRequest::patients
    std::size_t plan = 0;     // BatchRequest::plans
};

// Items refer to shared tables, so a population of 10 000 patients on one plan stores one plan,
// and a parameter sweep on one patient stores one patient.
struct BatchRequest {
    std::vector<Params> params;  // nominal parameters (covariates applied inside)
    std::vector<Patient> patients;
    std::vector<std::vector<Session>> plans;
    std::vector<BatchItem> items;
    std::vector<double> t_out;  // output times shared by every item
    double t_end = -1.0;        // < 0 means t_out.back()
    SolverOptions options{};
};

enum class ItemStatus : std::uint8_t {
    ok = 0,
    invalid_input = 1,  // InvalidInput (the Python layer raises ValueError for it)
    solver_error = 2,   // SolverError
    other_error = 3,    // any other exception (for example std::bad_alloc)
};

// Outputs of a batch, row-major, item first. Values of a failed item are NaN.
struct BatchResult {
    std::size_t n_items = 0;
    std::size_t n_times = 0;
    std::size_t n_events = kNumEvents;
    std::size_t max_sessions = 0;       // most sessions any item simulates within the horizon
    std::vector<double> states;         // n_items x n_times x kNumStates
    std::vector<double> session_times;  // n_items x max_sessions, NaN-padded
    std::vector<double> post_session;   // n_items x max_sessions x kNumStates, NaN-padded
    std::vector<std::size_t> sessions;  // sessions simulated per item
    std::vector<double> time_above;     // n_items x n_events x max_sessions, NaN-padded
    std::vector<double> first_upward;   // n_items x n_events
    std::vector<double> effective;      // n_items x kNumParams
    std::vector<double> baseline;       // n_items x kNumStates
    std::vector<SolverStats> stats;
    std::vector<ItemStatus> status;
    std::vector<std::string> error;  // message of a failed item, empty otherwise
};

// Checks the request (table indices, sizes, options, output times; throws InvalidInput naming the
// field) and simulates every item. threads = 0 uses every hardware thread.
BatchResult simulate_batch(const BatchRequest& request, std::size_t threads = 0);

}  // namespace skinremodel
