// simulate(request) -> Trajectory: the options, the request and the trajectory as bound classes.
// The GIL is released for the whole solve; the trajectory's arrays are read-only views of the
// C++ result (no copies).
#include <cstdint>

#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/simulation/thresholds.hpp"

namespace skinremodel::bindings {

namespace {

SolverOptions make_options(const std::string& method, double rtol, const py::object& atol,
                           std::size_t max_steps, double initial_step, double max_step) {
    SolverOptions o;
    o.method = method_from_name(method);
    o.rtol = rtol;
    if (!atol.is_none()) o.atol = state_from(atol.cast<DoubleArray>(), "atol");
    o.max_steps = max_steps;
    o.initial_step = initial_step;
    o.max_step = max_step;
    check_options(o);
    return o;
}

py::tuple options_state(const SolverOptions& o) {
    return py::make_tuple(std::string(method_name(o.method)), o.rtol, to_numpy(o.atol), o.max_steps,
                          o.initial_step, o.max_step);
}

SolverOptions options_from_state(const py::tuple& s) {
    if (s.size() != 6) throw std::runtime_error("SolverOptions: invalid pickled state");
    return make_options(s[0].cast<std::string>(), s[1].cast<double>(), s[2],
                        s[3].cast<std::size_t>(), s[4].cast<double>(), s[5].cast<double>());
}

SimulationRequest make_request(const DoubleArray& params, const DoubleArray& patient,
                               const DoubleArray& sessions, const DoubleArray& t_eval, double t_end,
                               const SolverOptions& options) {
    SimulationRequest r;
    r.params = params_from(params);
    r.patient = patient_from(patient);
    r.sessions = sessions_from(sessions);
    r.t_out = vector_from(t_eval, "t_eval");
    r.t_end = t_end;
    r.options = options;
    return r;
}

const Trajectory& trajectory_of(const py::object& self) {
    return self.cast<const BoundTrajectory&>().data.trajectory;
}

// A 1-d numpy copy of a vector (pickled states).
py::array_t<double> flat(const std::vector<double>& v) {
    return to_numpy(std::vector<double>(v), {static_cast<py::ssize_t>(v.size())});
}

std::vector<double> copy_of(const py::handle& a, const char* what) {
    return vector_from(py::reinterpret_borrow<py::object>(a).cast<DoubleArray>(), what);
}

SolverStats stats_from(const py::dict& d) {
    SolverStats s;
    s.steps = d["steps"].cast<std::size_t>();
    s.rejected_steps = d["rejected_steps"].cast<std::size_t>();
    s.rhs_evaluations = d["rhs_evaluations"].cast<std::size_t>();
    s.jacobian_evaluations = d["jacobian_evaluations"].cast<std::size_t>();
    s.lu_decompositions = d["lu_decompositions"].cast<std::size_t>();
    s.clipped_steps = d["clipped_steps"].cast<std::size_t>();
    return s;
}

// A trajectory restored from its stored arrays (skinremodel.Result.load): the effective
// parameters, the baseline and the summary of the crossings are computed again, as simulate()
// computes them, from the request's parameters, patient and horizon.
TrajectoryPtr restore_trajectory(const SimulationRequest& req, const DoubleArray& t,
                                 const DoubleArray& y, const DoubleArray& session_days,
                                 const DoubleArray& pre_session, const DoubleArray& post_session,
                                 const DoubleArray& doses, const IndexArray& crossing_event,
                                 const DoubleArray& crossing_time,
                                 const IndexArray& crossing_direction,
                                 const IndexArray& crossing_at_session, const py::dict& stats) {
    auto out = std::make_shared<BoundTrajectory>();
    Trajectory& tr = out->data.trajectory;
    tr.t = vector_from(t, "t");
    const std::size_t n_t = tr.t.size();
    tr.session_times = vector_from(session_days, "session_days");
    const std::size_t n_s = tr.session_times.size();
    auto rows = [](const DoubleArray& a, std::size_t n, const char* what) {
        if (static_cast<std::size_t>(a.size()) != n * kNumStates)
            throw InvalidInput(std::string(what) + " must have " + std::to_string(n) + " rows of " +
                               std::to_string(kNumStates) + " states");
        return std::vector<double>(a.data(), a.data() + a.size());
    };
    tr.y = rows(y, n_t, "y");
    tr.pre_session = rows(pre_session, n_s, "pre_session");
    tr.post_session = rows(post_session, n_s, "post_session");
    tr.doses = vector_from(doses, "doses");
    const auto n_c = crossing_time.size();
    if (crossing_event.size() != n_c || crossing_direction.size() != n_c ||
        crossing_at_session.size() != n_c)
        throw InvalidInput("the crossing arrays must have the same length");
    for (py::ssize_t i = 0; i < n_c; ++i)
        tr.crossings.push_back(
            {static_cast<std::size_t>(crossing_event.data()[i]), crossing_time.data()[i],
             static_cast<int>(crossing_direction.data()[i]), crossing_at_session.data()[i] != 0});
    tr.stats = stats_from(stats);
    check_parameters(req.params);
    tr.effective = apply_covariates(req.params, req.patient);
    tr.baseline = Mn14System(tr.effective).baseline();
    const double t_end = horizon_of(tr.t, req.t_end);
    summarize_events(tr, t_end, model_events(tr.effective, tr.baseline));
    return out;
}

}  // namespace

py::tuple trajectory_state(const BoundTrajectory& b) {
    const Trajectory& tr = b.data.trajectory;
    std::vector<std::int64_t> event, direction, at_session;
    std::vector<double> time;
    for (const Crossing& c : tr.crossings) {
        event.push_back(static_cast<std::int64_t>(c.event));
        time.push_back(c.time);
        direction.push_back(c.direction);
        at_session.push_back(c.at_session ? 1 : 0);
    }
    const SolverStats& st = tr.stats;
    py::object sens = py::none();
    if (b.with_sensitivities) {
        const SensitivityStats& ss = b.data.stats;
        sens = py::make_tuple(
            b.sensitivity_names, b.data.columns, flat(b.data.s), flat(b.data.pre_session),
            flat(b.data.post_session), flat(b.data.baseline), flat(b.data.effective),
            py::make_tuple(ss.steps, ss.derivative_evaluations, ss.jacobian_evaluations,
                           ss.lu_decompositions, ss.chunk_width));
    }
    py::list parts;
    for (const py::object& o :
         {py::object(flat(tr.t)), py::object(flat(tr.y)), py::object(flat(tr.session_times)),
          py::object(flat(tr.pre_session)), py::object(flat(tr.post_session)),
          py::object(flat(tr.doses)), py::object(py::cast(event)), py::object(flat(time)),
          py::object(py::cast(direction)), py::object(py::cast(at_session)),
          py::object(py::make_tuple(st.steps, st.rejected_steps, st.rhs_evaluations,
                                    st.jacobian_evaluations, st.lu_decompositions,
                                    st.clipped_steps)),
          py::object(to_numpy(tr.effective)), py::object(to_numpy(tr.baseline)),
          py::object(flat(tr.time_above)), py::object(flat(tr.first_upward)), sens})
        parts.append(o);
    return py::tuple(parts);
}

TrajectoryPtr trajectory_from_state(const py::tuple& s) {
    if (s.size() != 16) throw std::runtime_error("Trajectory: invalid pickled state");
    auto out = std::make_shared<BoundTrajectory>();
    Trajectory& tr = out->data.trajectory;
    tr.t = copy_of(s[0], "t");
    tr.y = copy_of(s[1], "y");
    tr.session_times = copy_of(s[2], "session_times");
    tr.pre_session = copy_of(s[3], "pre_session");
    tr.post_session = copy_of(s[4], "post_session");
    tr.doses = copy_of(s[5], "doses");
    const auto event = s[6].cast<std::vector<std::int64_t>>();
    const auto time = copy_of(s[7], "crossing time");
    const auto direction = s[8].cast<std::vector<std::int64_t>>();
    const auto at_session = s[9].cast<std::vector<std::int64_t>>();
    for (std::size_t i = 0; i < time.size(); ++i)
        tr.crossings.push_back({static_cast<std::size_t>(event.at(i)), time[i],
                                static_cast<int>(direction.at(i)), at_session.at(i) != 0});
    const auto st = s[10].cast<std::array<std::size_t, 6>>();
    tr.stats = {st[0], st[1], st[2], st[3], st[4], st[5]};
    const auto effective = copy_of(s[11], "effective");
    const auto baseline = copy_of(s[12], "baseline");
    if (effective.size() != kNumParams || baseline.size() != kNumStates)
        throw std::runtime_error("Trajectory: invalid pickled state");
    std::copy(effective.begin(), effective.end(), tr.effective.begin());
    std::copy(baseline.begin(), baseline.end(), tr.baseline.begin());
    tr.time_above = copy_of(s[13], "time_above");
    tr.first_upward = copy_of(s[14], "first_upward");
    if (!s[15].is_none()) {
        const auto sens = s[15].cast<py::tuple>();
        out->with_sensitivities = true;
        out->sensitivity_names = sens[0].cast<std::vector<std::string>>();
        out->data.columns = sens[1].cast<std::size_t>();
        out->data.s = copy_of(sens[2], "S");
        out->data.pre_session = copy_of(sens[3], "S_pre_session");
        out->data.post_session = copy_of(sens[4], "S_post_session");
        out->data.baseline = copy_of(sens[5], "S_baseline");
        out->data.effective = copy_of(sens[6], "S_effective");
        const auto ss = sens[7].cast<std::array<std::size_t, 5>>();
        out->data.stats = {ss[0], ss[1], ss[2], ss[3], ss[4]};
    }
    return out;
}

void register_simulate(py::module_& m) {
    PYBIND11_NUMPY_DTYPE(Crossing, event, time, direction, at_session);
    py::class_<SolverOptions>(m, "SolverOptions",
                              "Integrator settings, checked on construction (limits()).")
        .def(py::init(&make_options), py::arg("method") = "rodas5p", py::arg("rtol") = 1e-6,
             py::arg("atol") = py::none(), py::arg("max_steps") = 200000,
             py::arg("initial_step") = 0.0, py::arg("max_step") = 0.0)
        .def_property_readonly(
            "method", [](const SolverOptions& o) { return std::string(method_name(o.method)); })
        .def_readonly("rtol", &SolverOptions::rtol)
        .def_property_readonly("atol", [](const SolverOptions& o) { return to_numpy(o.atol); })
        .def_readonly("max_steps", &SolverOptions::max_steps)
        .def_readonly("initial_step", &SolverOptions::initial_step)
        .def_readonly("max_step", &SolverOptions::max_step)
        .def(py::pickle(&options_state, &options_from_state));

    py::class_<SimulationRequest>(m, "Request",
                                  "One simulation's inputs: nominal parameters, a patient row, "
                                  "sessions (n, 5), output days, horizon and options.")
        .def(py::init(&make_request), py::arg("params"), py::arg("patient"), py::arg("sessions"),
             py::arg("t_eval"), py::arg("t_end"), py::arg("options"))
        .def_property_readonly("params",
                               [](const py::object& self) {
                                   const auto& r = self.cast<const SimulationRequest&>();
                                   return view(self, r.params.data(),
                                               {static_cast<py::ssize_t>(kNumParams)});
                               })
        .def_property_readonly(
            "patient", [](const SimulationRequest& r) { return to_numpy(patient_row(r.patient)); })
        .def_property_readonly(
            "sessions", [](const SimulationRequest& r) { return sessions_to_numpy(r.sessions); })
        .def_property_readonly("t_eval",
                               [](const py::object& self) {
                                   const auto& r = self.cast<const SimulationRequest&>();
                                   return view(self, r.t_out.data(),
                                               {static_cast<py::ssize_t>(r.t_out.size())});
                               })
        .def_readonly("t_end", &SimulationRequest::t_end)
        .def_readonly("options", &SimulationRequest::options)
        .def(py::pickle(
            [](const py::object& self) {
                const auto& r = self.cast<const SimulationRequest&>();
                return py::make_tuple(to_numpy(r.params), to_numpy(patient_row(r.patient)),
                                      sessions_to_numpy(r.sessions), flat(r.t_out), r.t_end,
                                      r.options);
            },
            [](const py::tuple& s) {
                if (s.size() != 6) throw std::runtime_error("Request: invalid pickled state");
                return make_request(s[0].cast<DoubleArray>(), s[1].cast<DoubleArray>(),
                                    s[2].cast<DoubleArray>(), s[3].cast<DoubleArray>(),
                                    s[4].cast<double>(), s[5].cast<SolverOptions>());
            }));

    const auto n_states = static_cast<py::ssize_t>(kNumStates);
    py::class_<BoundTrajectory, TrajectoryPtr>(
        m, "Trajectory",
        "What simulate() returns; every array is a read-only view of the C++ result.")
        .def_property_readonly("t",
                               [](const py::object& self) {
                                   const Trajectory& tr = trajectory_of(self);
                                   return view(self, tr.t.data(),
                                               {static_cast<py::ssize_t>(tr.t.size())});
                               })
        .def_property_readonly(
            "y",
            [n_states](const py::object& self) {
                const Trajectory& tr = trajectory_of(self);
                return view(self, tr.y.data(), {static_cast<py::ssize_t>(tr.t.size()), n_states});
            })
        .def_property_readonly("session_days",
                               [](const py::object& self) {
                                   const Trajectory& tr = trajectory_of(self);
                                   return view(self, tr.session_times.data(),
                                               {static_cast<py::ssize_t>(tr.session_times.size())});
                               })
        .def_property_readonly(
            "pre_session",
            [n_states](const py::object& self) {
                const Trajectory& tr = trajectory_of(self);
                return view(self, tr.pre_session.data(),
                            {static_cast<py::ssize_t>(tr.session_times.size()), n_states});
            })
        .def_property_readonly(
            "post_session",
            [n_states](const py::object& self) {
                const Trajectory& tr = trajectory_of(self);
                return view(self, tr.post_session.data(),
                            {static_cast<py::ssize_t>(tr.session_times.size()), n_states});
            })
        .def_property_readonly("doses",
                               [](const py::object& self) {
                                   const Trajectory& tr = trajectory_of(self);
                                   return view(self, tr.doses.data(),
                                               {static_cast<py::ssize_t>(tr.doses.size())});
                               })
        .def_property_readonly(
            "crossings",
            [](const py::object& self) {
                const Trajectory& tr = trajectory_of(self);
                return view(self, tr.crossings.data(),
                            {static_cast<py::ssize_t>(tr.crossings.size())});
            },
            "Structured array of the threshold crossings in time order: event (index into "
            "event_names()), time (day), direction (+1 up, -1 down), at_session (a jump).")
        .def_property_readonly(
            "stats", [](const py::object& self) { return stats_dict(trajectory_of(self).stats); })
        .def_property_readonly("effective",
                               [](const py::object& self) {
                                   const Trajectory& tr = trajectory_of(self);
                                   return view(self, tr.effective.data(),
                                               {static_cast<py::ssize_t>(kNumParams)});
                               })
        .def_property_readonly("baseline",
                               [n_states](const py::object& self) {
                                   return view(self, trajectory_of(self).baseline.data(),
                                               {n_states});
                               })
        .def_property_readonly(
            "time_above",
            [](const py::object& self) {
                const Trajectory& tr = trajectory_of(self);
                return view(self, tr.time_above.data(),
                            {static_cast<py::ssize_t>(kNumEvents),
                             static_cast<py::ssize_t>(tr.session_times.size())});
            },
            "(event, session): days each event's threshold stays exceeded after each session "
            "(one episode, chained into the next session while still exceeded).")
        .def_property_readonly(
            "first_upward",
            [](const py::object& self) {
                const Trajectory& tr = trajectory_of(self);
                return view(self, tr.first_upward.data(),
                            {static_cast<py::ssize_t>(tr.first_upward.size())});
            },
            "(event,): the first upward crossing of each event, NaN if none.")
        .def_property_readonly("sensitivities",
                               [](const TrajectoryPtr& self) -> py::object {
                                   if (!self->with_sensitivities) return py::none();
                                   return py::cast(SensitivityView{self});
                               })
        .def(py::pickle([](const BoundTrajectory& b) { return trajectory_state(b); },
                        [](const py::tuple& s) { return trajectory_from_state(s); }));

    m.def(
        "simulate",
        [](const SimulationRequest& req) {
            auto out = std::make_shared<BoundTrajectory>();
            {
                // Pure C++ from here: no Python object is touched while the GIL is released.
                py::gil_scoped_release release;
                out->data.trajectory = simulate(req);
            }
            return out;
        },
        py::arg("request"), "Simulates one request; returns a Trajectory.");
    m.def("restore_trajectory", &restore_trajectory, py::arg("request"), py::arg("t"), py::arg("y"),
          py::arg("session_days"), py::arg("pre_session"), py::arg("post_session"),
          py::arg("doses"), py::arg("crossing_event"), py::arg("crossing_time"),
          py::arg("crossing_direction"), py::arg("crossing_at_session"), py::arg("stats"),
          "A Trajectory from stored arrays, with the effective parameters, baseline and event "
          "summary computed again from the request (as simulate() computes them).");
}

}  // namespace skinremodel::bindings
