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

SolverOptions options_from(const std::string& method, double rtol, const DoubleArray& atol,
                           std::size_t max_steps) {
    SolverOptions o;
    o.method = method_from_name(method);
    o.rtol = rtol;
    o.atol = state_from(atol, "atol");
    o.max_steps = max_steps;
    return o;
}

}  // namespace skinremodel::bindings
