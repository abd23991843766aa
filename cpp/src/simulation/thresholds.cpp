// The model's threshold events and the per-session summary of their crossings.
#include "skinremodel/simulation/thresholds.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "skinremodel/model/visible_improvement.hpp"

namespace skinremodel {

ModelEvents model_events(const Params& p, const State& baseline) {
    ModelEvents e{};
    e[event_redness_visible].weights[iR] = 1.0;
    e[event_redness_visible].level = p[p_R_vis];
    e[event_downtime].weights[iR] = 1.0;
    e[event_downtime].level = p[p_R_vis] * p[p_R_down_frac];
    e[event_visible_improvement].weights = visible_weights(p);
    e[event_visible_improvement].level = visible_terms(baseline, p) + p[p_G_jnd];
    return e;
}

void summarize_events(Trajectory& tr, double t_end, const ModelEvents& events) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double>& s = tr.session_times;
    const std::size_t n = s.size();
    tr.time_above.assign(kNumEvents * n, kNaN);
    tr.first_upward.assign(kNumEvents, kNaN);
    std::vector<double> last_down(n), own(n);
    std::vector<bool> still(n);
    for (std::size_t e = 0; e < kNumEvents; ++e) {
        std::fill(last_down.begin(), last_down.end(), kNaN);
        for (const Crossing& c : tr.crossings) {  // in time order
            if (c.event != e) continue;
            if (c.direction > 0 && std::isnan(tr.first_upward[e])) tr.first_upward[e] = c.time;
            if (c.direction >= 0 || c.at_session) continue;
            // Window of session k: (s_k, s_{k+1}], the last one ending at the horizon.
            const auto above = std::lower_bound(s.begin(), s.end(), c.time);  // first s >= time
            if (above == s.begin()) continue;  // before the first session
            last_down[static_cast<std::size_t>(above - s.begin()) - 1] = c.time;
        }
        const SparseEvent g(events[e]);
        for (std::size_t k = 0; k < n; ++k) {
            const double end = k + 1 < n ? s[k + 1] : t_end;
            State post;
            std::copy_n(tr.post_session.begin() + static_cast<std::ptrdiff_t>(k * kNumStates),
                        kNumStates, post.begin());
            still[k] = std::isnan(last_down[k]) && event_value(g, post) > 0.0;
            own[k] = std::isnan(last_down[k]) ? (still[k] ? end - s[k] : 0.0) : last_down[k] - s[k];
        }
        double* total = tr.time_above.data() + e * n;
        for (std::size_t k = n; k-- > 0;)  // later sessions first: episodes chain forward
            total[k] = k + 1 < n && still[k] ? own[k] + total[k + 1] : own[k];
    }
}

}  // namespace skinremodel
