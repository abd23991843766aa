// simulate(): one patient, one schedule; the GIL is released for the whole solve.
#include "common.hpp"
#include "skinremodel/errors.hpp"

namespace skinremodel::bindings {

namespace {

py::dict simulate_py(const DoubleArray& params, const Patient& patient, const DoubleArray& sessions,
                     const DoubleArray& t_eval, double t_end, const std::string& method,
                     double rtol, const DoubleArray& atol, std::size_t max_steps,
                     double initial_step, double max_step, const DoubleArray& event_weights,
                     const DoubleArray& event_levels) {
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

    Trajectory tr;
    {
        // Pure C++ from here: no Python object is touched while the GIL is released.
        py::gil_scoped_release release;
        tr = simulate(req);
    }
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

}  // namespace

void register_simulate(py::module_& m) {
    m.def("simulate", &simulate_py, py::arg("params"), py::arg("patient"), py::arg("sessions"),
          py::arg("t_eval"), py::arg("t_end"), py::arg("method"), py::arg("rtol"),
          py::arg("atol"), py::arg("max_steps"), py::arg("initial_step"), py::arg("max_step"),
          py::arg("event_weights"), py::arg("event_levels"),
          "Simulates one patient; returns a dict of numpy arrays (see skinremodel.simulate).");
}

}  // namespace skinremodel::bindings
