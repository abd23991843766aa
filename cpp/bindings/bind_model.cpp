// Model-level functions and the tables the Python layer reads instead of repeating them: names
// (parameters, states, methods, patient columns and categories, events), the bounds the core
// checks, the visible improvement's terms, and the parser of sensitivity column names.
#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/equations.hpp"
#include "skinremodel/model/limits.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/model/visible_improvement.hpp"
#include "skinremodel/simulation/limits.hpp"
#include "skinremodel/simulation/thresholds.hpp"

namespace skinremodel::bindings {

namespace {

template <class Names>
std::vector<std::string> strings(const Names& names) {
    return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace

void register_model(py::module_& m) {
    py::class_<Limit>(m, "Limit", "A bound the core checks (see limits()).")
        .def_property_readonly("name", [](const Limit& l) { return std::string(l.name); })
        .def_readonly("low", &Limit::low)
        .def_readonly("high", &Limit::high)
        .def_readonly("low_closed", &Limit::low_closed)
        .def_readonly("high_closed", &Limit::high_closed)
        .def_readonly("integer", &Limit::integer)
        .def_property_readonly("unit", [](const Limit& l) { return std::string(l.unit); })
        .def_property_readonly("description",
                               [](const Limit& l) { return std::string(l.description); })
        .def("__repr__", [](const Limit& l) {
            return "<Limit " + std::string(l.name) + " in " + range_text(l) + ">";
        });
    m.def(
        "limits",
        [] {
            std::vector<Limit> out(kModelLimits.begin(), kModelLimits.end());
            out.insert(out.end(), kSolverLimits.begin(), kSolverLimits.end());
            return out;
        },
        "Every numeric bound the core checks: the model's inputs, then the integrator's.");

    m.def("parameter_names", [] { return strings(kParamNames); });
    m.def("state_names", [] { return strings(kStateNames); });
    m.def("method_names", [] { return strings(kMethodNames); });
    m.def("event_names", [] { return strings(kEventNames); });
    m.def(
        "patient_columns", [] { return strings(kPatientColumns); },
        "The columns of a patient row, in order (categories as codes, flags as 0/1).");
    m.def(
        "patient_categories",
        [] {
            py::dict d;
            d["diabetes"] = strings(kDiabetesNames);
            d["vitamin_c"] = strings(kVitaminCNames);
            return d;
        },
        "The values of the categorical patient columns; a row holds the index of the value.");
    m.def(
        "visible_improvement",
        [] {
            py::list terms;
            for (const VisibleTerm& t : kVisibleTerms) {
                py::object factor = py::none();
                if (t.factor != kNoFactor) factor = py::str(std::string(kParamNames[t.factor]));
                terms.append(py::make_tuple(std::string(kStateNames[t.state]), factor));
            }
            return py::make_tuple(std::string(kParamNames[kVisibleScale]), terms);
        },
        "The visible improvement G = scale * sum(factor * state) - (the same at the baseline): "
        "(scale parameter, [(state, factor parameter or None), ...]), summed in this order.");
    m.def(
        "sensitivity_column",
        [](const std::string& name, std::size_t n_sessions) {
            const SensitivityColumn c = sensitivity_column(name, n_sessions);
            const char* kind = c.kind == SensitivityColumn::Kind::parameter ? "parameter"
                               : c.kind == SensitivityColumn::Kind::depth   ? "depth_mm"
                                                                            : "day";
            return py::make_tuple(kind, c.index);
        },
        py::arg("name"), py::arg("n_sessions"),
        "(kind, index) of a sensitivity column: ('parameter', parameter index), ('depth_mm', k) "
        "or ('day', k); ValueError for an unknown or malformed name or a session outside the "
        "plan.");

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
        [](const DoubleArray& params, const DoubleArray& patient) {
            const Params p = params_from(params);
            check_parameters(p);
            return to_numpy(apply_covariates(p, patient_from(patient)));
        },
        py::arg("params"), py::arg("patient"),
        "Effective parameters of nominal parameters and a patient row.");
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
