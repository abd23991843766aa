// skinremodel._core: a thin binding of the C++ engine. The friendly API lives in Python
// (python/skinremodel); this layer converts arrays, releases the GIL around the solve and maps
// exceptions (InvalidInput -> ValueError via std::invalid_argument, SolverError -> SolverError).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "skinremodel/errors.hpp"
#include "skinremodel/model.hpp"
#include "skinremodel/parameters.hpp"
#include "skinremodel/patient.hpp"
#include "skinremodel/schedule.hpp"
#include "skinremodel/solver.hpp"
#include "skinremodel/system.hpp"

namespace py = pybind11;
using namespace skinremodel;

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Hands a vector to numpy without copying: the array owns the moved vector through a capsule.
py::array_t<double> to_numpy(std::vector<double>&& v, std::vector<py::ssize_t> shape) {
    auto* owned = new std::vector<double>(std::move(v));
    py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
    return py::array_t<double>(shape, owned->data(), free_when_done);
}

template <std::size_t N>
py::array_t<double> to_numpy(const std::array<double, N>& a) {
    return to_numpy(std::vector<double>(a.begin(), a.end()), {static_cast<py::ssize_t>(N)});
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

// Sessions arrive as an (n, 5) array: day, depth_mm, density_per_cm2, needle_diameter_mm
// (NaN for the parameter w), dose_scale.
std::vector<Session> sessions_from(const DoubleArray& a) {
    if (a.ndim() != 2 || a.shape(1) != 5)
        throw InvalidInput("sessions must be an (n, 5) array: day, depth_mm, density_per_cm2, "
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
    req.options.method = method_from_name(method);
    req.options.rtol = rtol;
    req.options.atol = state_from(atol, "atol");
    req.options.max_steps = max_steps;
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

PYBIND11_MODULE(_core, m) {
    m.doc() = "C++ engine of skinremodel (private; use the skinremodel package).";
#ifdef SKINREMODEL_VERSION
    m.attr("__version__") = SKINREMODEL_VERSION;
#endif
    py::register_exception<SolverError>(m, "SolverError", PyExc_RuntimeError);

    py::class_<Patient>(m, "Patient")
        .def(py::init<>())
        .def_readwrite("age", &Patient::age)
        .def_property(
            "diabetes", [](const Patient& p) { return static_cast<int>(p.diabetes); },
            [](Patient& p, int v) {
                if (v < 0 || v > 2) throw InvalidInput("diabetes code must be 0, 1 or 2");
                p.diabetes = static_cast<Diabetes>(v);
            })
        .def_property(
            "vitamin_c", [](const Patient& p) { return static_cast<int>(p.vitamin_c); },
            [](Patient& p, int v) {
                if (v < 0 || v > 2) throw InvalidInput("vitamin_c code must be 0, 1 or 2");
                p.vitamin_c = static_cast<VitaminC>(v);
            })
        .def_readwrite("phototype", &Patient::phototype)
        .def_readwrite("smoker", &Patient::smoker)
        .def_readwrite("photoaged", &Patient::photoaged)
        .def_readwrite("reactive_skin", &Patient::reactive_skin);

    m.def("parameter_names", [] {
        std::vector<std::string> names;
        for (auto n : kParamNames) names.emplace_back(n);
        return names;
    });
    m.def("state_names", [] {
        std::vector<std::string> names;
        for (auto n : kStateNames) names.emplace_back(n);
        return names;
    });
    m.def("default_parameters", [] { return to_numpy(default_parameters()); },
          "Default parameter values compiled from parameters.csv.");
    m.def("default_atol", [] { return to_numpy(SolverOptions::default_atol()); });
    m.def("jacobian_pattern", [] {
        std::vector<std::vector<bool>> pattern(kNumStates, std::vector<bool>(kNumStates));
        for (std::size_t i = 0; i < kNumStates; ++i)
            for (std::size_t j = 0; j < kNumStates; ++j)
                pattern[i][j] = (kJacobianPattern[i] >> j) & 1u;
        return pattern;
    });

    m.def(
        "effective_parameters",
        [](const DoubleArray& params, const Patient& patient) {
            const Params p = params_from(params);
            check_parameters(p);
            check_patient(patient);
            return to_numpy(apply_covariates(p, patient));
        },
        py::arg("params"), py::arg("patient"));
    m.def(
        "baseline",
        [](const DoubleArray& effective) {
            const Params p = params_from(effective);
            return to_numpy(Mn14System(p).baseline());
        },
        py::arg("effective_params"), "Pre-treatment steady state for effective parameters.");
    m.def(
        "rhs",
        [](const DoubleArray& y, const DoubleArray& effective, double t) {
            const Mn14System sys(params_from(effective));
            State dy;
            sys(state_from(y, "y"), dy, t);
            return to_numpy(dy);
        },
        py::arg("y"), py::arg("effective_params"), py::arg("t") = 0.0);
    m.def(
        "jacobian",
        [](const DoubleArray& y, const DoubleArray& effective, double t) {
            const Mn14System sys(params_from(effective));
            Jacobian J;
            State dfdt;
            sys.jacobian(state_from(y, "y"), t, J, dfdt);
            std::vector<double> flat(J.data(), J.data() + J.size());
            const auto n = static_cast<py::ssize_t>(kNumStates);
            return py::make_tuple(to_numpy(std::move(flat), {n, n}), to_numpy(dfdt));
        },
        py::arg("y"), py::arg("effective_params"), py::arg("t") = 0.0);
    m.def(
        "session_dose",
        [](double depth_mm, double density_per_cm2, double needle_diameter_mm, double dose_scale,
           const DoubleArray& effective) {
            Session s;
            s.depth_mm = depth_mm;
            s.density_per_cm2 = density_per_cm2;
            s.needle_diameter_mm = needle_diameter_mm;
            s.dose_scale = dose_scale;
            const Params p = params_from(effective);
            check_sessions({s}, p);
            const Dose<double> d = session_dose(s, p);
            return py::make_tuple(d.u, d.v);
        },
        py::arg("depth_mm"), py::arg("density_per_cm2"), py::arg("needle_diameter_mm"),
        py::arg("dose_scale"), py::arg("effective_params"));

    m.def("simulate", &simulate_py, py::arg("params"), py::arg("patient"), py::arg("sessions"),
          py::arg("t_eval"), py::arg("t_end"), py::arg("method"), py::arg("rtol"),
          py::arg("atol"), py::arg("max_steps"), py::arg("initial_step"), py::arg("max_step"),
          py::arg("event_weights"), py::arg("event_levels"),
          "Simulates one patient; returns a dict of numpy arrays (see skinremodel.simulate).");
}
