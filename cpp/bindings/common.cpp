#include "common.hpp"

#include "skinremodel/errors.hpp"

namespace skinremodel::bindings {

py::array_t<double> to_numpy(std::vector<double>&& v, std::vector<py::ssize_t> shape) {
    auto* owned = new std::vector<double>(std::move(v));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
    return py::array_t<double>(shape, owned->data(), free_when_done);
}

Params params_from(const DoubleArray& a) {
    if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != kNumParams)
        throw InvalidInput("params must be a 1-d array of " + std::to_string(kNumParams) +
                           " values in the order of parameter_names()");
    Params p;
    for (std::size_t i = 0; i < kNumParams; ++i) p[i] = a.at(i);
    return p;
}

State state_from(const DoubleArray& a, const char* what) {
    if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != kNumStates)
        throw InvalidInput(std::string(what) + " must be a 1-d array of " +
                           std::to_string(kNumStates) + " values");
    State s;
    for (std::size_t i = 0; i < kNumStates; ++i) s[i] = a.at(i);
    return s;
}

std::vector<double> vector_from(const DoubleArray& a, const char* what) {
    if (a.ndim() != 1) throw InvalidInput(std::string(what) + " must be a 1-d array");
    return std::vector<double>(a.data(), a.data() + a.shape(0));
}

std::vector<Session> sessions_from(const DoubleArray& a) {
    if (a.ndim() != 2 || a.shape(1) != 5)
        throw InvalidInput(
            "sessions must be an (n, 5) array: day, depth_mm, density_per_cm2, "
            "needle_diameter_mm, dose_scale");
    std::vector<Session> out(static_cast<std::size_t>(a.shape(0)));
    auto r = a.unchecked<2>();
    for (py::ssize_t k = 0; k < a.shape(0); ++k) {
        Session& s = out[static_cast<std::size_t>(k)];
        s.time = r(k, 0);
        s.depth_mm = r(k, 1);
        s.density_per_cm2 = r(k, 2);
        s.needle_diameter_mm = r(k, 3);
        s.dose_scale = r(k, 4);
    }
    return out;
}

std::vector<LinearEvent> events_from(const DoubleArray& weights, const DoubleArray& levels) {
    if (weights.ndim() != 2 || static_cast<std::size_t>(weights.shape(1)) != kNumStates ||
        levels.ndim() != 1 || levels.shape(0) != weights.shape(0))
        throw InvalidInput("event_weights must be (m, 14) and event_levels (m,)");
    std::vector<LinearEvent> out(static_cast<std::size_t>(weights.shape(0)));
    auto w = weights.unchecked<2>();
    for (py::ssize_t e = 0; e < weights.shape(0); ++e) {
        for (std::size_t i = 0; i < kNumStates; ++i)
            out[static_cast<std::size_t>(e)].weights[i] = w(e, static_cast<py::ssize_t>(i));
        out[static_cast<std::size_t>(e)].level = levels.at(e);
    }
    return out;
}

SolverOptions options_from(const std::string& method, double rtol, const DoubleArray& atol,
                           std::size_t max_steps) {
    SolverOptions o;
    o.method = method_from_name(method);
    o.rtol = rtol;
    o.atol = state_from(atol, "atol");
    o.max_steps = max_steps;
    return o;
}

SimulationRequest request_from(const DoubleArray& params, const Patient& patient,
                               const DoubleArray& sessions, const DoubleArray& t_eval, double t_end,
                               const std::string& method, double rtol, const DoubleArray& atol,
                               std::size_t max_steps, double initial_step, double max_step,
                               const DoubleArray& event_weights, const DoubleArray& event_levels) {
    SimulationRequest req;
    req.params = params_from(params);
    req.patient = patient;
    req.sessions = sessions_from(sessions);
    req.t_out = vector_from(t_eval, "t_eval");
    req.t_end = t_end;
    req.options = options_from(method, rtol, atol, max_steps);
    req.options.initial_step = initial_step;
    req.options.max_step = max_step;
    req.events = events_from(event_weights, event_levels);
    return req;
}

py::dict trajectory_dict(Trajectory&& tr) {
    const auto n_t = static_cast<py::ssize_t>(tr.t.size());
    const auto n_s = static_cast<py::ssize_t>(tr.session_times.size());
    const auto n_x = static_cast<py::ssize_t>(kNumStates);
    std::vector<double> cross_t, cross_event, cross_dir, cross_jump;
    for (const Crossing& c : tr.crossings) {
        cross_t.push_back(c.time);
        cross_event.push_back(static_cast<double>(c.event));
        cross_dir.push_back(static_cast<double>(c.direction));
        cross_jump.push_back(c.at_session ? 1.0 : 0.0);
    }
    const auto n_c = static_cast<py::ssize_t>(cross_t.size());
    py::dict out;
    out["t"] = to_numpy(std::move(tr.t), {n_t});
    out["y"] = to_numpy(std::move(tr.y), {n_t, n_x});
    out["session_times"] = to_numpy(std::move(tr.session_times), {n_s});
    out["pre_session"] = to_numpy(std::move(tr.pre_session), {n_s, n_x});
    out["post_session"] = to_numpy(std::move(tr.post_session), {n_s, n_x});
    out["doses"] = to_numpy(std::move(tr.doses), {n_s});
    out["crossing_time"] = to_numpy(std::move(cross_t), {n_c});
    out["crossing_event"] = to_numpy(std::move(cross_event), {n_c});
    out["crossing_direction"] = to_numpy(std::move(cross_dir), {n_c});
    out["crossing_at_session"] = to_numpy(std::move(cross_jump), {n_c});
    py::dict stats;
    stats["steps"] = tr.stats.steps;
    stats["rejected_steps"] = tr.stats.rejected_steps;
    stats["rhs_evaluations"] = tr.stats.rhs_evaluations;
    stats["jacobian_evaluations"] = tr.stats.jacobian_evaluations;
    stats["lu_decompositions"] = tr.stats.lu_decompositions;
    stats["clipped_steps"] = tr.stats.clipped_steps;
    out["stats"] = stats;
    return out;
}

}  // namespace skinremodel::bindings
