// The reference problem of the C++ timing programs: 6 sessions every 28 days at 1.5 mm, 365 days,
// daily output (every simulation locates the model's three thresholds); and the clock they are
// timed by.
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
    return req;
}

}  // namespace skinremodel::bench
