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
    const SimulationRequest req =
        request_from(params, patient, sessions, t_eval, t_end, method, rtol, atol, max_steps,
                     initial_step, max_step, event_weights, event_levels);
    Trajectory tr;
    {
        // Pure C++ from here: no Python object is touched while the GIL is released.
        py::gil_scoped_release release;
        tr = simulate(req);
    }
    return trajectory_dict(std::move(tr));
}

}  // namespace

void register_simulate(py::module_& m) {
    m.def("simulate", &simulate_py, py::arg("params"), py::arg("patient"), py::arg("sessions"),
          py::arg("t_eval"), py::arg("t_end"), py::arg("method"), py::arg("rtol"), py::arg("atol"),
          py::arg("max_steps"), py::arg("initial_step"), py::arg("max_step"),
          py::arg("event_weights"), py::arg("event_levels"),
          "Simulates one patient; returns a dict of numpy arrays (see skinremodel.simulate).");
}

}  // namespace skinremodel::bindings
