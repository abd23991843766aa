// Model-level functions: names, defaults, covariates, baseline, right-hand side, Jacobian, dose.
#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/equations.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"

namespace skinremodel::bindings {

void register_model(py::module_& m) {
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
        .def_readwrite("reactive_skin", &Patient::reactive_skin)
        .def_readwrite("acne_scars", &Patient::acne_scars);

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
    m.def(
        "default_parameters", [] { return to_numpy(default_parameters()); },
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
}

}  // namespace skinremodel::bindings
