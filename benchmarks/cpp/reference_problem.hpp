// The reference problem of the C++ timing programs: 6 sessions every 28 days at 1.5 mm, 365 days,
// daily output, and the three thresholds skinremodel.simulate locates; and their clock.
#pragma once

#include <time.h>

#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/simulation/simulate.hpp"

namespace skinremodel::bench {

// CPU time of this thread in microseconds: other processes on a shared machine count less than
// with wall time.
inline double cpu_us() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return 1e6 * static_cast<double>(ts.tv_sec) + 1e-3 * static_cast<double>(ts.tv_nsec);
}

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
