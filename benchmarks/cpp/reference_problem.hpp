// The reference problem of the C++ timing programs: 6 sessions every 28 days at 1.5 mm, 365 days,
// daily output (every simulation locates the model's three thresholds).
#pragma once

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
    return req;
}

}  // namespace skinremodel::bench
