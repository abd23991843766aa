// The model's threshold events, in one place: their names, their definitions from a patient's
// effective parameters and baseline (docs/model.md), and the summary of their crossings that the
// metrics read (redness hours, downtime, first visible day). Every simulation locates them;
// single runs and batches return the same summary.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/state.hpp"
#include "skinremodel/simulation/events.hpp"
#include "skinremodel/simulation/trajectory.hpp"

namespace skinremodel {

enum EventIndex : std::size_t {
    event_redness_visible,      // R > R_vis: redness is visible
    event_downtime,             // R > R_down_frac R_vis: social downtime
    event_visible_improvement,  // G > G_jnd: the improvement is noticeable
    kNumEvents
};

inline constexpr std::array<std::string_view, kNumEvents> kEventNames = {
    "redness_visible", "downtime", "visible_improvement"};

using ModelEvents = std::array<LinearEvent, kNumEvents>;

// The thresholds of a patient: R_vis and R_down_frac R_vis on R; G_jnd on the visible improvement
// (model/visible_improvement.hpp), whose level adds the baseline's terms.
ModelEvents model_events(const Params& effective, const State& baseline);

// Fills trajectory.time_above and trajectory.first_upward from its crossings, sessions and
// post-session states. For each event and session k (window (t_k, t_{k+1}], the last one ending at
// the horizon t_end): the time from t_k until the threshold is last crossed downward by the flow
// in the window, or 0 if it is not exceeded in the window, or the whole window if it is still
// exceeded when the window closes (the post-session state is above and no downward crossing
// follows). Skin still above the threshold when the next session comes stays above through it:
// the episode goes on into the next window, so the time of a session adds that of the next one.
// first_upward: the first upward crossing of each event (flow or jump), NaN if none.
void summarize_events(Trajectory& trajectory, double t_end, const ModelEvents& events);

}  // namespace skinremodel
