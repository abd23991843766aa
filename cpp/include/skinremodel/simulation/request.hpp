// What one simulation needs: parameters, patient, plan, output times and options. The threshold
// events come from the model (simulation/thresholds.hpp).
#pragma once

#include <vector>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/schedule.hpp"
#include "skinremodel/simulation/options.hpp"

namespace skinremodel {

struct SimulationRequest {
    Params params = default_parameters();  // nominal parameters; covariates are applied inside
    Patient patient{};
    std::vector<Session> sessions;
    std::vector<double> t_out;  // sorted, >= 0; the horizon is t_out.back() unless t_end
    double t_end = -1.0;        // < 0 means t_out.back()
    SolverOptions options{};
};

// The horizon of a request (a single one or a batch): t_end, or the last output time when t_end
// is negative.
inline double horizon_of(const std::vector<double>& t_out, double t_end) {
    return t_end < 0.0 && !t_out.empty() ? t_out.back() : t_end;
}

}  // namespace skinremodel
