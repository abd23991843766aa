// Small helpers shared by the Catch2 tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "skinremodel/simulation/simulate.hpp"

namespace testing_helpers {

inline std::vector<double> days(double last) {
    std::vector<double> t;
    for (int d = 0; d <= static_cast<int>(last); ++d) t.push_back(d);
    return t;
}

inline std::vector<skinremodel::Session> regular_sessions(int n, double every, double depth = 1.5) {
    std::vector<skinremodel::Session> s;
    for (int k = 0; k < n; ++k) {
        skinremodel::Session x;
        x.time = k * every;
        x.depth_mm = depth;
        s.push_back(x);
    }
    return s;
}

inline double state_at(const skinremodel::Trajectory& tr, std::size_t row, std::size_t state) {
    return tr.y[row * skinremodel::kNumStates + state];
}

inline double total_collagen(const skinremodel::Trajectory& tr, std::size_t row) {
    using namespace skinremodel;
    return state_at(tr, row, iC3) + state_at(tr, row, iC1) + state_at(tr, row, iCm);
}

// Largest |a - b| relative to |b|, where values below floor_frac times the peak of the same state
// count on the scale of that floor (tiny tails of inflammation are judged absolutely).
inline double max_scaled_diff(const std::vector<double>& a, const std::vector<double>& b,
                              double floor_frac) {
    const std::size_t n = skinremodel::kNumStates;
    std::vector<double> peak(n, 0.0);
    for (std::size_t i = 0; i < b.size(); ++i) peak[i % n] = std::max(peak[i % n], std::abs(b[i]));
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(
            worst, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), floor_frac * peak[i % n]));
    return worst;
}

}  // namespace testing_helpers
