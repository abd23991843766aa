// simulate_sensitivities(): simulate() plus the forward sensitivities of every state with
// respect to named parameters and session depths; the GIL is released for the whole solve.
#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/simulation/sensitivity.hpp"

namespace skinremodel::bindings {

namespace {

py::dict simulate_sensitivities_py(const DoubleArray& params, const Patient& patient,
                                   const DoubleArray& sessions, const DoubleArray& t_eval,
                                   double t_end, const std::string& method, double rtol,
                                   const DoubleArray& atol, std::size_t max_steps,
                                   double initial_step, double max_step,
                                   const DoubleArray& event_weights,
                                   const DoubleArray& event_levels,
                                   const std::vector<std::string>& names) {
    const SimulationRequest req =
        request_from(params, patient, sessions, t_eval, t_end, method, rtol, atol, max_steps,
                     initial_step, max_step, event_weights, event_levels);
    const std::vector<SensitivityColumn> columns = sensitivity_columns(names, req.sessions.size());
    SensitivityTrajectory st;
    {
        py::gil_scoped_release release;
        st = simulate_sensitivities(req, columns);
    }
    const auto n_t = static_cast<py::ssize_t>(st.trajectory.t.size());
    const auto n_s = static_cast<py::ssize_t>(st.trajectory.session_times.size());
    const auto n_x = static_cast<py::ssize_t>(kNumStates);
    const auto m = static_cast<py::ssize_t>(names.size());
    py::dict out = trajectory_dict(std::move(st.trajectory));
    out["sensitivity_names"] = names;
    out["S"] = to_numpy(std::move(st.s), {n_t, n_x, m});
    out["S_pre_session"] = to_numpy(std::move(st.pre_session), {n_s, n_x, m});
    out["S_post_session"] = to_numpy(std::move(st.post_session), {n_s, n_x, m});
    out["S_baseline"] = to_numpy(std::move(st.baseline), {n_x, m});
    out["S_effective"] =
        to_numpy(std::move(st.effective), {static_cast<py::ssize_t>(kNumParams), m});
    py::dict stats;
    stats["steps"] = st.stats.steps;
    stats["derivative_evaluations"] = st.stats.derivative_evaluations;
    stats["jacobian_evaluations"] = st.stats.jacobian_evaluations;
    stats["lu_decompositions"] = st.stats.lu_decompositions;
    stats["chunk_width"] = st.stats.chunk_width;
    out["sensitivity_stats"] = stats;
    return out;
}

}  // namespace

void register_sensitivity(py::module_& m) {
    m.def(
        "simulate_sensitivities", &simulate_sensitivities_py, py::arg("params"), py::arg("patient"),
        py::arg("sessions"), py::arg("t_eval"), py::arg("t_end"), py::arg("method"),
        py::arg("rtol"), py::arg("atol"), py::arg("max_steps"), py::arg("initial_step"),
        py::arg("max_step"), py::arg("event_weights"), py::arg("event_levels"), py::arg("names"),
        "simulate() plus d(state)/d(parameter, depth_mm[k] or day[k]); see skinremodel.simulate.");
}

}  // namespace skinremodel::bindings
