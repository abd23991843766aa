// The driver of a simulation: the session loop (exact jumps), outputs at the requested times from
// the dense output, non-negativity clipping, and threshold events located by sampling and
// bisection on the dense output (or its scalar projection). The numerics (stepper, step-size
// controller, starting step) come from numerics/; the model from model/.
#include "skinremodel/simulation/simulate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>
#include <utility>

#include "format.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/numerics/controller.hpp"
#include "skinremodel/numerics/dopri5.hpp"
#include "skinremodel/numerics/initial_step.hpp"
#include "skinremodel/numerics/rosenbrock.hpp"

namespace skinremodel {

namespace {

using detail::format_time;

using Rodas5P = numerics::Rosenbrock<Mn14System, numerics::Rodas5PTableau>;
using Rodas4 = numerics::Rosenbrock<Mn14System, numerics::Rodas4Tableau>;
using Dopri5 = numerics::Dopri5<Mn14System>;

// Steppers whose interpolant is linear in per-state data can turn a linear event into one scalar
// polynomial per step (Rosenbrock::project), so sampling and bisection cost O(1) instead of a full
// 15-state interpolation each (measured: events were a sixth of the run time).
template <class Stepper, class = void>
struct has_projection : std::false_type {};
template <class Stepper>
struct has_projection<Stepper, std::void_t<decltype(std::declval<const Stepper&>().project(
                                   std::declval<const SparseEvent&>(), std::declval<const State&>(),
                                   std::declval<const State&>()))>> : std::true_type {};

template <class Stepper, bool = has_projection<Stepper>::value>
struct ProjectionOf {
    struct type {};
};
template <class Stepper>
struct ProjectionOf<Stepper, true> {
    using type = decltype(std::declval<const Stepper&>().project(std::declval<const SparseEvent&>(),
                                                                 std::declval<const State&>(),
                                                                 std::declval<const State&>()));
};

// The model's events are a fixed few (simulation/thresholds.hpp): per-event data lives in arrays
// of that size, so the loops over them have constant bounds.
template <class T>
using PerEvent = std::array<T, kNumEvents>;

template <std::size_t... E>
PerEvent<SparseEvent> sparse(const ModelEvents& events, std::index_sequence<E...>) {
    return {SparseEvent(events[E])...};
}

// Integrates one simulation with a given stepper; the stepper supplies the method, this class the
// step-size control, guard rails, dense output and event location shared by every method.
template <class Stepper>
class Driver {
public:
    Driver(const Mn14System& sys, const SimulationRequest& req, const ModelEvents& events,
           Trajectory& out, IntegrationObserver* observer)
        : sys_(sys),
          req_(req),
          opt_(req.options),
          out_(out),
          observer_(observer),
          events_(sparse(events, std::make_index_sequence<kNumEvents>{})) {
        // Events on the same combination of states (the two redness thresholds) share one
        // projection per step: it does not depend on the level.
        for (std::size_t e = 0; e < kNumEvents; ++e) {
            shares_[e] = e;
            for (std::size_t f = 0; f < e && shares_[e] == e; ++f)
                if (same_combination(events_[e], events_[f])) shares_[e] = f;
        }
    }

    void run(const std::vector<Session>& sessions, const std::vector<Dose<double>>& doses,
             double t_end) {
        const auto& t_out = req_.t_out;
        State y = sys_.baseline();
        PerEvent<double> g_prev;
        for (std::size_t e = 0; e < kNumEvents; ++e) g_prev[e] = event_value(events_[e], y);

        double ta = 0.0;
        std::size_t k = 0;  // next session
        while (true) {
            if (k < sessions.size() && sessions[k].time == ta) {
                append(out_.pre_session, y);
                const State before = y;
                y = apply_session(y, sys_.params(), doses[k]);
                append(out_.post_session, y);
                if (observer_) observer_->jump(k, ta, before, y);
                for (std::size_t e = 0; e < kNumEvents; ++e) {
                    const double g = event_value(events_[e], y);
                    if ((g > 0.0) != (g_prev[e] > 0.0))
                        out_.crossings.push_back({e, ta, g > 0.0 ? 1 : -1, true});
                    g_prev[e] = g;
                }
                ++k;
            }
            // Outputs at the start of a segment report the post-session state.
            while (next_out_ < t_out.size() && t_out[next_out_] == ta) emit(y);

            const bool ends_at_session = k < sessions.size();
            const double tb = ends_at_session ? sessions[k].time : t_end;
            if (tb > ta) integrate_segment(ta, tb, ends_at_session, y, g_prev);
            if (!ends_at_session) break;
            ta = tb;
        }
        // Outputs at exactly t_end were emitted by the last step; nothing can remain.
        while (next_out_ < t_out.size()) emit(y);
    }

private:
    void integrate_segment(double ta, double tb, bool ends_at_session, State& y,
                           PerEvent<double>& g_prev) {
        double t = ta;
        double h = opt_.initial_step > 0.0 ? opt_.initial_step
                                           : numerics::initial_step(sys_, y, t, tb - ta, opt_.rtol,
                                                                    opt_.atol, Stepper::order);
        stepper_.begin(sys_, y, t);
        controller_.restart();  // each segment starts anew after its session's jump
        bool retry = false;
        State y_new{}, err{}, y_emit{};

        while (t < tb) {
            double h_try = h;
            if (opt_.max_step > 0.0) h_try = std::min(h_try, opt_.max_step);
            double t_new = t + h_try;
            if (t_new >= tb || tb - t_new < 1e-9 * h_try) {
                t_new = tb;  // land exactly on the segment end
                h_try = tb - t;
            }
            if (++attempts_ > opt_.max_steps)
                throw SolverError(
                    "solver did not finish: max_steps=" + std::to_string(opt_.max_steps) +
                    " steps used by t=" + format_time(t) + " d (step " + format_time(h_try) +
                    " d); raise max_steps or loosen rtol/atol");
            // A singular iteration matrix or a non-finite stage rejects the step.
            double e = stepper_.try_step(sys_, y, t, h_try, retry, y_new, err)
                           ? numerics::weighted_rms_norm(err, y, y_new, opt_.rtol, opt_.atol)
                           : 1e10;
            if (!std::isfinite(e)) e = 1e10;

            if (e <= 1.0) {
                ++out_.stats.steps;
                stepper_.accept(sys_);
                if (observer_)
                    observer_->step(t, y, t_new, y_new, DenseStep{stepper_, t, y, t_new, y_new});
                dense_output(t, y, t_new, y_new, tb, ends_at_session, y_emit);
                locate_events(t, y, t_new, y_new, g_prev);
                const double h_next = controller_.accept(h_try, e);
                retry = false;
                if (clip(y_new)) {
                    ++out_.stats.clipped_steps;
                    stepper_.restart(sys_, y_new, t_new);
                }
                y = y_new;
                t = t_new;
                h = h_next;  // after the segment's last step h is unused: each segment starts anew
            } else {
                ++out_.stats.rejected_steps;
                h = controller_.reject(h_try, e);
                retry = true;
                if (numerics::StepSizeController<Stepper::error_order>::too_small(h, t))
                    throw SolverError("solver did not finish: step size underflow at t=" +
                                      format_time(t) + " d (error norm " + format_time(e) +
                                      "); the parameters may make the model blow up");
            }
        }
    }

    void dense_output(double t_old, const State& y_old, double t_new, const State& y_new, double tb,
                      bool ends_at_session, State& tmp) {
        const auto& t_out = req_.t_out;
        while (next_out_ < t_out.size() && t_out[next_out_] <= t_new) {
            const double to = t_out[next_out_];
            // The state at a session day is reported after the jump: leave it to the next segment.
            if (ends_at_session && to == tb) return;
            if (to == t_new) {
                emit(y_new);
            } else {
                stepper_.interpolate(to, tmp, y_old, t_old, y_new, t_new);
                emit(tmp);
            }
        }
    }

    // Checks every event at a few interior points of the step (so a brief excursion inside one
    // long step is not missed) and refines a sign change by bisection on the interpolant.
    void locate_events(double t_old, const State& y_old, double t_new, const State& y_new,
                       PerEvent<double>& g_prev) {
        constexpr int kSamples = 4;
        if constexpr (has_projection<Stepper>::value) {
            // An event whose projected polynomial provably keeps the sign of its previous sample
            // over the whole step has no sign change at any sample: only its end value is
            // needed. In most steps that holds for every event, and the step costs O(events).
            bool any = false;
            for (std::size_t e = 0; e < kNumEvents; ++e) {
                projections_[e] = shares_[e] == e ? stepper_.project(events_[e], y_old, y_new)
                                                  : projections_[shares_[e]];
                const double g_end = g_end_[e] = event_value(events_[e], y_new);
                const bool above = g_prev[e] > 0.0;
                const SparseEvent& ev = events_[e];
                sampled_[e] = !((projections_[e].old_value - ev.level > 0.0) == above &&
                                (g_end > 0.0) == above && projections_[e].keeps_sign(ev.level));
                if (!sampled_[e]) g_prev[e] = g_end;
                any = any || sampled_[e];
            }
            if (!any) return;
        }
        State ys;
        double ta = t_old;
        for (int j = 1; j <= kSamples; ++j) {
            const double tj = (j == kSamples) ? t_new : t_old + (t_new - t_old) * j / kSamples;
            if constexpr (!has_projection<Stepper>::value) {
                // The state is interpolated once per sample point for all events.
                if (j == kSamples)
                    ys = y_new;
                else
                    stepper_.interpolate(tj, ys, y_old, t_old, y_new, t_new);
            }
            for (std::size_t e = 0; e < kNumEvents; ++e) {
                double gj;
                if constexpr (has_projection<Stepper>::value) {
                    if (!sampled_[e]) continue;
                    // Samples sit at the fractions j / kSamples of the step: no division needed.
                    gj = j == kSamples
                             ? g_end_[e]
                             : projections_[e].at(double(j) / kSamples) - events_[e].level;
                } else {
                    gj = event_value(events_[e], ys);
                }
                if ((gj > 0.0) != (g_prev[e] > 0.0))
                    out_.crossings.push_back(
                        {e, bisect(e, ta, tj, g_prev[e], y_old, t_old, y_new, t_new),
                         gj > 0.0 ? 1 : -1, false});
                g_prev[e] = gj;
            }
            ta = tj;
        }
        // Crossings of different events found at the same sample are reported in time order.
        std::sort(out_.crossings.begin() + static_cast<std::ptrdiff_t>(crossings_sorted_),
                  out_.crossings.end(),
                  [](const Crossing& a, const Crossing& b) { return a.time < b.time; });
        crossings_sorted_ = out_.crossings.size();
    }

    double projected_value(std::size_t e, double t, double t_old, double t_new) const {
        return projections_[e].at((t - t_old) / (t_new - t_old)) - events_[e].level;
    }

    double bisect(std::size_t e, double lo, double hi, double g_lo, const State& y_old,
                  double t_old, const State& y_new, double t_new) {
        State ys;
        const bool lo_above = g_lo > 0.0;
        for (int it = 0; it < 100 && hi - lo > 1e-10; ++it) {
            const double mid = 0.5 * (lo + hi);
            double g;
            if constexpr (has_projection<Stepper>::value) {
                g = projected_value(e, mid, t_old, t_new);
            } else {
                stepper_.interpolate(mid, ys, y_old, t_old, y_new, t_new);
                g = event_value(events_[e], ys);
            }
            if ((g > 0.0) == lo_above)
                lo = mid;
            else
                hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    // States of MN-14 are non-negative; a step may undershoot zero by up to the tolerance.
    static bool clip(State& y) {
        bool clipped = false;
        for (double& v : y)
            if (v < 0.0) {
                v = 0.0;
                clipped = true;
            }
        return clipped;
    }

    void emit(const State& y) {
        State reported;
        for (std::size_t i = 0; i < kNumStates; ++i) reported[i] = std::max(y[i], 0.0);
        out_.y.insert(out_.y.end(), reported.begin(), reported.end());
        if (observer_) observer_->output(next_out_, req_.t_out[next_out_], reported);
        ++next_out_;
    }

    // The stepper's interpolant over the step just accepted, as the observer sees it.
    struct DenseStep final : IntegrationObserver::DenseState {
        DenseStep(const Stepper& s, double t0, const State& y0, double t1, const State& y1)
            : stepper(s), t_old(t0), y_old(y0), t_new(t1), y_new(y1) {}
        void at(double t, State& y) const override {
            stepper.interpolate(t, y, y_old, t_old, y_new, t_new);
        }
        const Stepper& stepper;
        double t_old;
        const State& y_old;
        double t_new;
        const State& y_new;
    };

    static void append(std::vector<double>& dst, const State& y) {
        dst.insert(dst.end(), y.begin(), y.end());
    }

public:
    std::size_t lu_decompositions() const { return stepper_.lu_decompositions(); }

private:
    const Mn14System& sys_;
    const SimulationRequest& req_;
    const SolverOptions& opt_;
    Trajectory& out_;
    IntegrationObserver* observer_;
    Stepper stepper_;
    numerics::StepSizeController<Stepper::error_order> controller_{Stepper::predictive_controller};
    const PerEvent<SparseEvent> events_;
    PerEvent<typename ProjectionOf<Stepper>::type> projections_{};
    PerEvent<char> sampled_{};  // per event: sampled in this step (not ruled out by its bound)
    PerEvent<double> g_end_{};  // per event: its value at the end of this step
    PerEvent<std::size_t> shares_{};  // per event: the first event on the same combination
    std::size_t next_out_ = 0;
    std::size_t attempts_ = 0;
    std::size_t crossings_sorted_ = 0;
};

template <class Stepper>
void run_driver(const Mn14System& sys, const SimulationRequest& req, const ModelEvents& events,
                const std::vector<Session>& sessions, const std::vector<Dose<double>>& doses,
                double t_end, Trajectory& out, IntegrationObserver* observer) {
    Driver<Stepper> driver(sys, req, events, out, observer);
    driver.run(sessions, doses, t_end);
    out.stats.lu_decompositions = driver.lu_decompositions();
}

Trajectory simulate_observed(const SimulationRequest& req, IntegrationObserver* observer) {
    check_parameters(req.params);
    check_patient(req.patient);
    check_options(req.options);
    const double t_end = horizon_of(req.t_out, req.t_end);
    check_horizon(t_end);
    check_output_times(req.t_out, t_end);

    const Params effective = apply_covariates(req.params, req.patient);
    check_sessions(req.sessions, effective);
    const Mn14System sys(effective);

    Trajectory out;
    out.effective = effective;
    out.baseline = sys.baseline();
    const ModelEvents events = model_events(effective, out.baseline);
    std::vector<Session> inside;
    std::vector<Dose<double>> doses;
    for (const Session& s : req.sessions) {
        if (s.time > t_end) break;  // sessions are sorted; later ones lie beyond the horizon
        inside.push_back(s);
        doses.push_back(session_dose(s, effective));
        out.session_times.push_back(s.time);
        out.doses.push_back(doses.back().u);
    }
    out.t = req.t_out;
    out.y.reserve(req.t_out.size() * kNumStates);

    if (req.options.method == Method::rodas5p)
        run_driver<Rodas5P>(sys, req, events, inside, doses, t_end, out, observer);
    else if (req.options.method == Method::rodas4)
        run_driver<Rodas4>(sys, req, events, inside, doses, t_end, out, observer);
    else
        run_driver<Dopri5>(sys, req, events, inside, doses, t_end, out, observer);

    out.stats.rhs_evaluations = sys.rhs_evaluations();
    out.stats.jacobian_evaluations = sys.jacobian_evaluations();
    summarize_events(out, t_end, events);
    return out;
}

}  // namespace

Trajectory simulate(const SimulationRequest& req) {
    return simulate_observed(req, nullptr);
}

Trajectory simulate(const SimulationRequest& req, IntegrationObserver& observer) {
    return simulate_observed(req, &observer);
}

}  // namespace skinremodel
