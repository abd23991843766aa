// The reference problem of the C++ timing programs: 6 sessions every 28 days at 1.5 mm, 365 days,
// daily output, and the three thresholds skinremodel.simulate locates.
#pragma once

#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/simulation/simulate.hpp"

namespace skinremodel::bench {

inline SimulationRequest reference_request() {
    SimulationRequest req;
    for (int k = 0; k < 6; ++k) {
        Session s;
        s.time = 28.0 * k;
        s.depth_mm = 1.5;
        req.sessions.push_back(s);
    }
    for (int d = 0; d <= 365; ++d) req.t_out.push_back(d);
    const Params p = apply_covariates(default_parameters(), req.patient);
    // Redness visible, downtime and visible improvement, as skinremodel.simulate defines them.
    LinearEvent redness, downtime, visible;
    redness.weights[iR] = 1.0;
    redness.level = p[p_R_vis];
    downtime.weights[iR] = 1.0;
    downtime.level = p[p_R_vis] * p[p_R_down_frac];
    visible.weights[iCm] = p[p_g_scale];
    visible.weights[iC3] = visible.weights[iC1] = visible.weights[iCf] = p[p_g_scale] * p[p_g_imm];
    visible.weights[iE] = p[p_g_scale] * p[p_g_E];
    const Mn14System sys(p);
    const State base = sys.baseline();
    for (std::size_t i = 0; i < kNumStates; ++i) visible.level += visible.weights[i] * base[i];
    visible.level += p[p_G_jnd];
    req.events = {redness, downtime, visible};
    return req;
}

}  // namespace skinremodel::bench
