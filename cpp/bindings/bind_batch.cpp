// simulate_batch(): many (parameters, patient, plan) items in one call. Inputs are converted under
// the GIL, the GIL is released for the whole run (the C++ thread pool never touches Python), and
// the numpy outputs are built afterwards.
#include <cstdint>

#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/simulation/batch.hpp"

namespace skinremodel::bindings {

namespace {

using IndexArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// Rows of a 2-d array of n_cols values each.
void check_matrix(const DoubleArray& a, std::size_t n_cols, const char* what, const char* layout) {
    if (a.ndim() != 2 || static_cast<std::size_t>(a.shape(1)) != n_cols)
        throw InvalidInput(std::string(what) + " must be a 2-d array with " +
                           std::to_string(n_cols) + " columns (" + layout + ")");
}

std::vector<Params> params_table(const DoubleArray& a) {
    check_matrix(a, kNumParams, "params", "parameter_names() order");
    std::vector<Params> out(static_cast<std::size_t>(a.shape(0)));
    const double* data = a.data();
    for (std::size_t r = 0; r < out.size(); ++r)
        std::copy(data + r * kNumParams, data + (r + 1) * kNumParams, out[r].begin());
    return out;
}

// Patients arrive as rows of: age, diabetes code (0 none, 1 controlled, 2 poor), vitamin C code
// (0 deficient, 1 replete, 2 supplemented), phototype, smoker, photoaged, reactive_skin,
// acne_scars (0/1): skinremodel.patient.PATIENT_COLUMNS.
constexpr std::size_t kPatientColumns = 8;

std::vector<Patient> patients_table(const DoubleArray& a) {
    check_matrix(a, kPatientColumns, "patients",
                 "age, diabetes, vitamin_c, phototype, smoker, photoaged, reactive_skin, "
                 "acne_scars");
    std::vector<Patient> out(static_cast<std::size_t>(a.shape(0)));
    auto v = a.unchecked<2>();
    auto code = [&](py::ssize_t r, py::ssize_t c, const char* name, int hi) {
        const double x = v(r, c);
        if (!(x >= 0 && x <= hi && x == static_cast<int>(x)))
            throw InvalidInput("patients[" + std::to_string(r) + "]: " + name +
                               " code must be an integer in [0, " + std::to_string(hi) + "]");
        return static_cast<int>(x);
    };
    for (py::ssize_t r = 0; r < a.shape(0); ++r) {
        Patient& p = out[static_cast<std::size_t>(r)];
        p.age = v(r, 0);
        p.diabetes = static_cast<Diabetes>(code(r, 1, "diabetes", 2));
        p.vitamin_c = static_cast<VitaminC>(code(r, 2, "vitamin_c", 2));
        p.phototype = code(r, 3, "phototype", 6);
        p.smoker = code(r, 4, "smoker", 1) == 1;
        p.photoaged = code(r, 5, "photoaged", 1) == 1;
        p.reactive_skin = code(r, 6, "reactive_skin", 1) == 1;
        p.acne_scars = code(r, 7, "acne_scars", 1) == 1;
    }
    return out;
}

std::vector<std::vector<LinearEvent>> event_table(const DoubleArray& weights,
                                                  const DoubleArray& levels) {
    if (weights.ndim() != 3 || static_cast<std::size_t>(weights.shape(2)) != kNumStates ||
        levels.ndim() != 2 || levels.shape(0) != weights.shape(0) ||
        levels.shape(1) != weights.shape(1))
        throw InvalidInput("event_weights must be (sets, m, 14) and event_levels (sets, m)");
    auto w = weights.unchecked<3>();
    auto l = levels.unchecked<2>();
    std::vector<std::vector<LinearEvent>> out(static_cast<std::size_t>(weights.shape(0)));
    for (py::ssize_t s = 0; s < weights.shape(0); ++s) {
        auto& set = out[static_cast<std::size_t>(s)];
        set.resize(static_cast<std::size_t>(weights.shape(1)));
        for (py::ssize_t e = 0; e < weights.shape(1); ++e) {
            for (std::size_t i = 0; i < kNumStates; ++i)
                set[static_cast<std::size_t>(e)].weights[i] = w(s, e, static_cast<py::ssize_t>(i));
            set[static_cast<std::size_t>(e)].level = l(s, e);
        }
    }
    return out;
}

std::vector<std::size_t> index_column(const IndexArray& items, py::ssize_t col) {
    auto v = items.unchecked<2>();
    std::vector<std::size_t> out(static_cast<std::size_t>(items.shape(0)));
    for (py::ssize_t r = 0; r < items.shape(0); ++r) {
        if (v(r, col) < 0)
            throw InvalidInput("items[" + std::to_string(r) + "] holds a negative index");
        out[static_cast<std::size_t>(r)] = static_cast<std::size_t>(v(r, col));
    }
    return out;
}

template <class T, class F>
py::array_t<T> column(std::size_t n, F&& value) {
    py::array_t<T> out(static_cast<py::ssize_t>(n));
    auto v = out.template mutable_unchecked<1>();
    for (std::size_t i = 0; i < n; ++i) v(static_cast<py::ssize_t>(i)) = value(i);
    return out;
}

py::dict simulate_batch_py(const DoubleArray& params, const DoubleArray& patients,
                           const std::vector<DoubleArray>& plans, const DoubleArray& event_weights,
                           const DoubleArray& event_levels, const IndexArray& items,
                           const DoubleArray& t_eval, double t_end, const std::string& method,
                           double rtol, const DoubleArray& atol, std::size_t max_steps,
                           std::size_t threads) {
    BatchRequest req;
    req.params = params_table(params);
    req.patients = patients_table(patients);
    for (const DoubleArray& plan : plans) req.plans.push_back(sessions_from(plan));
    req.event_sets = event_table(event_weights, event_levels);
    if (items.ndim() != 2 || items.shape(1) != 4)
        throw InvalidInput("items must be an (n, 4) integer array: params, patient, plan, events");
    const auto p = index_column(items, 0), q = index_column(items, 1), r = index_column(items, 2),
               e = index_column(items, 3);
    req.items.resize(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) req.items[i] = {p[i], q[i], r[i], e[i]};
    req.t_out = vector_from(t_eval, "t_eval");
    req.t_end = t_end;
    req.options = options_from(method, rtol, atol, max_steps);

    BatchResult b;
    {
        // Pure C++ from here: the worker threads never touch a Python object.
        py::gil_scoped_release release;
        b = simulate_batch(req, threads);
    }
    const auto n = static_cast<py::ssize_t>(b.n_items);
    const auto n_t = static_cast<py::ssize_t>(b.n_times);
    const auto n_s = static_cast<py::ssize_t>(b.max_sessions);
    const auto n_e = static_cast<py::ssize_t>(b.n_events);
    const auto n_x = static_cast<py::ssize_t>(kNumStates);
    py::dict out;
    out["states"] = to_numpy(std::move(b.states), {n, n_t, n_x});
    out["post_session"] = to_numpy(std::move(b.post_session), {n, n_s, n_x});
    out["last_downward"] = to_numpy(std::move(b.last_downward), {n, n_e, n_s});
    out["first_upward"] = to_numpy(std::move(b.first_upward), {n, n_e});
    out["sessions"] = column<std::int64_t>(
        b.n_items, [&](std::size_t i) { return static_cast<std::int64_t>(b.sessions[i]); });
    out["status"] = column<std::int8_t>(
        b.n_items, [&](std::size_t i) { return static_cast<std::int8_t>(b.status[i]); });
    out["error"] = b.error;
    py::dict stats;
    auto stat = [&](const char* name, std::size_t SolverStats::*field) {
        stats[name] = column<std::int64_t>(
            b.n_items, [&](std::size_t i) { return static_cast<std::int64_t>(b.stats[i].*field); });
    };
    stat("steps", &SolverStats::steps);
    stat("rejected_steps", &SolverStats::rejected_steps);
    stat("rhs_evaluations", &SolverStats::rhs_evaluations);
    stat("jacobian_evaluations", &SolverStats::jacobian_evaluations);
    stat("lu_decompositions", &SolverStats::lu_decompositions);
    stat("clipped_steps", &SolverStats::clipped_steps);
    out["stats"] = stats;
    return out;
}

// Effective parameters and baselines of (params row, patient row) pairs, as one call.
py::tuple effective_batch_py(const DoubleArray& params, const DoubleArray& patients,
                             const IndexArray& pairs) {
    const std::vector<Params> p = params_table(params);
    const std::vector<Patient> q = patients_table(patients);
    if (pairs.ndim() != 2 || pairs.shape(1) != 2)
        throw InvalidInput("pairs must be an (n, 2) integer array: params row, patient row");
    const auto pi = index_column(pairs, 0), qi = index_column(pairs, 1);
    const std::size_t n = pi.size();
    std::vector<double> eff(n * kNumParams), base(n * kNumStates);
    for (std::size_t i = 0; i < n; ++i) {
        if (pi[i] >= p.size() || qi[i] >= q.size())
            throw InvalidInput("pairs[" + std::to_string(i) + "] is out of range");
        check_parameters(p[pi[i]]);
        check_patient(q[qi[i]]);
        const Params e = apply_covariates(p[pi[i]], q[qi[i]]);
        const State b = Mn14System(e).baseline();
        std::copy(e.begin(), e.end(), eff.begin() + static_cast<std::ptrdiff_t>(i * kNumParams));
        std::copy(b.begin(), b.end(), base.begin() + static_cast<std::ptrdiff_t>(i * kNumStates));
    }
    const auto rows = static_cast<py::ssize_t>(n);
    return py::make_tuple(to_numpy(std::move(eff), {rows, static_cast<py::ssize_t>(kNumParams)}),
                          to_numpy(std::move(base), {rows, static_cast<py::ssize_t>(kNumStates)}));
}

}  // namespace

void register_batch(py::module_& m) {
    m.def("simulate_batch", &simulate_batch_py, py::arg("params"), py::arg("patients"),
          py::arg("plans"), py::arg("event_weights"), py::arg("event_levels"), py::arg("items"),
          py::arg("t_eval"), py::arg("t_end"), py::arg("method"), py::arg("rtol"), py::arg("atol"),
          py::arg("max_steps"), py::arg("threads"),
          "Simulates many items on a thread pool; returns a dict of numpy arrays "
          "(see skinremodel.simulate_many).");
    m.def("effective_parameters_batch", &effective_batch_py, py::arg("params"), py::arg("patients"),
          py::arg("pairs"),
          "Effective parameters (n, P) and baselines (n, 14) of (params row, patient row) pairs.");
}

}  // namespace skinremodel::bindings
