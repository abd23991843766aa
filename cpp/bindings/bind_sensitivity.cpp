// simulate_sensitivities(request, names): simulate() plus the forward sensitivities of every state
// with respect to named parameters, session depths and days; the GIL is released for the whole
// solve. The sensitivities are read-only views of the trajectory's C++ result.
#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/simulation/sensitivity.hpp"

namespace skinremodel::bindings {

namespace {

const BoundTrajectory& owner_of(const py::object& self) {
    return *self.cast<const SensitivityView&>().owner;
}

}  // namespace

void register_sensitivity(py::module_& m) {
    const auto n_x = static_cast<py::ssize_t>(kNumStates);
    py::class_<SensitivityView>(m, "TrajectorySensitivities",
                                "The sensitivities of a Trajectory (read-only views).")
        .def_property_readonly("names",
                               [](const SensitivityView& v) { return v.owner->sensitivity_names; })
        .def_property_readonly(
            "states",
            [n_x](const py::object& self) {
                const BoundTrajectory& b = owner_of(self);
                return view(self, b.data.s.data(),
                            {static_cast<py::ssize_t>(b.data.trajectory.t.size()), n_x,
                             static_cast<py::ssize_t>(b.data.columns)});
            },
            "d y(t) / d column, (time, state, column); post-session on session days.")
        .def_property_readonly(
            "pre_session",
            [n_x](const py::object& self) {
                const BoundTrajectory& b = owner_of(self);
                return view(self, b.data.pre_session.data(),
                            {static_cast<py::ssize_t>(b.data.trajectory.session_times.size()), n_x,
                             static_cast<py::ssize_t>(b.data.columns)});
            })
        .def_property_readonly(
            "post_session",
            [n_x](const py::object& self) {
                const BoundTrajectory& b = owner_of(self);
                return view(self, b.data.post_session.data(),
                            {static_cast<py::ssize_t>(b.data.trajectory.session_times.size()), n_x,
                             static_cast<py::ssize_t>(b.data.columns)});
            })
        .def_property_readonly("baseline",
                               [n_x](const py::object& self) {
                                   const BoundTrajectory& b = owner_of(self);
                                   return view(self, b.data.baseline.data(),
                                               {n_x, static_cast<py::ssize_t>(b.data.columns)});
                               })
        .def_property_readonly("effective",
                               [](const py::object& self) {
                                   const BoundTrajectory& b = owner_of(self);
                                   return view(self, b.data.effective.data(),
                                               {static_cast<py::ssize_t>(kNumParams),
                                                static_cast<py::ssize_t>(b.data.columns)});
                               })
        .def_property_readonly("stats", [](const SensitivityView& v) {
            const SensitivityStats& s = v.owner->data.stats;
            py::dict d;
            d["steps"] = s.steps;
            d["derivative_evaluations"] = s.derivative_evaluations;
            d["jacobian_evaluations"] = s.jacobian_evaluations;
            d["lu_decompositions"] = s.lu_decompositions;
            d["chunk_width"] = s.chunk_width;
            return d;
        });

    m.def(
        "simulate_sensitivities",
        [](const SimulationRequest& req, const std::vector<std::string>& names) {
            const std::vector<SensitivityColumn> columns =
                sensitivity_columns(names, req.sessions.size());
            auto out = std::make_shared<BoundTrajectory>();
            out->sensitivity_names = names;
            out->with_sensitivities = true;
            {
                py::gil_scoped_release release;
                out->data = simulate_sensitivities(req, columns);
            }
            return out;
        },
        py::arg("request"), py::arg("names"),
        "simulate() plus d(state)/d(parameter, depth_mm[k] or day[k]); a Trajectory whose "
        ".sensitivities holds them.");
}

}  // namespace skinremodel::bindings
