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
    std::copy(a.data(), a.data() + kNumParams, p.begin());
    return p;
}

State state_from(const DoubleArray& a, const char* what) {
    if (a.ndim() != 1 || static_cast<std::size_t>(a.shape(0)) != kNumStates)
        throw InvalidInput(std::string(what) + " must be a 1-d array of " +
                           std::to_string(kNumStates) + " values");
    State s;
    std::copy(a.data(), a.data() + kNumStates, s.begin());
    return s;
}

std::vector<double> vector_from(const DoubleArray& a, const char* what) {
    if (a.ndim() != 1) throw InvalidInput(std::string(what) + " must be a 1-d array");
    return std::vector<double>(a.data(), a.data() + a.shape(0));
}

Patient patient_from(const DoubleArray& row, const char* what) {
    if (row.ndim() != 1 || static_cast<std::size_t>(row.shape(0)) != kNumPatientColumns)
        throw InvalidInput(std::string(what) + " must be a row of " +
                           std::to_string(kNumPatientColumns) +
                           " numbers in the order of patient_columns()");
    return patient_from_row(row.data(), what);
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

py::array_t<double> sessions_to_numpy(const std::vector<Session>& sessions) {
    std::vector<double> rows;
    rows.reserve(sessions.size() * 5);
    for (const Session& s : sessions)
        rows.insert(rows.end(),
                    {s.time, s.depth_mm, s.density_per_cm2, s.needle_diameter_mm, s.dose_scale});
    return to_numpy(std::move(rows), {static_cast<py::ssize_t>(sessions.size()), 5});
}

py::dict stats_dict(const SolverStats& s) {
    py::dict d;
    d["steps"] = s.steps;
    d["rejected_steps"] = s.rejected_steps;
    d["rhs_evaluations"] = s.rhs_evaluations;
    d["jacobian_evaluations"] = s.jacobian_evaluations;
    d["lu_decompositions"] = s.lu_decompositions;
    d["clipped_steps"] = s.clipped_steps;
    return d;
}

}  // namespace skinremodel::bindings
