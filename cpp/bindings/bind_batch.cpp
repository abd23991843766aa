// simulate_batch(request, threads) -> BatchResult: many (parameters, patient, plan) items in one
// call. The request is converted when it is built (under the GIL), the GIL is released for the
// whole run (the C++ thread pool never touches Python), and the result's arrays are read-only
// views of the C++ result.
#include <cstdint>

#include "common.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/simulation/batch.hpp"

namespace skinremodel::bindings {

namespace {

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

std::vector<Patient> patients_table(const DoubleArray& a) {
    check_matrix(a, kNumPatientColumns, "patients", "patient_columns() order");
    std::vector<Patient> out(static_cast<std::size_t>(a.shape(0)));
    for (std::size_t r = 0; r < out.size(); ++r)
        out[r] = patient_from_row(a.data() + r * kNumPatientColumns,
                                  "patients[" + std::to_string(r) + "]");
    return out;
}

BatchRequest make_request(const DoubleArray& params, const DoubleArray& patients,
                          const std::vector<DoubleArray>& plans, const IndexArray& items,
                          const DoubleArray& t_eval, double t_end, const SolverOptions& options) {
    BatchRequest req;
    req.params = params_table(params);
    req.patients = patients_table(patients);
    for (const DoubleArray& plan : plans) req.plans.push_back(sessions_from(plan));
    if (items.ndim() != 2 || items.shape(1) != 3)
        throw InvalidInput("items must be an (n, 3) integer array: params, patient, plan");
    auto v = items.unchecked<2>();
    req.items.resize(static_cast<std::size_t>(items.shape(0)));
    for (py::ssize_t r = 0; r < items.shape(0); ++r) {
        if (v(r, 0) < 0 || v(r, 1) < 0 || v(r, 2) < 0)
            throw InvalidInput("items[" + std::to_string(r) + "] holds a negative index");
        req.items[static_cast<std::size_t>(r)] = {static_cast<std::size_t>(v(r, 0)),
                                                  static_cast<std::size_t>(v(r, 1)),
                                                  static_cast<std::size_t>(v(r, 2))};
    }
    req.t_out = vector_from(t_eval, "t_eval");
    req.t_end = t_end;
    req.options = options;
    return req;
}

py::tuple request_state(const BatchRequest& r) {
    std::vector<double> params, patients;
    for (const Params& p : r.params) params.insert(params.end(), p.begin(), p.end());
    for (const Patient& p : r.patients) {
        const PatientRow row = patient_row(p);
        patients.insert(patients.end(), row.begin(), row.end());
    }
    py::list plans;
    for (const auto& plan : r.plans) plans.append(sessions_to_numpy(plan));
    py::array_t<std::int64_t> items({static_cast<py::ssize_t>(r.items.size()), py::ssize_t{3}});
    auto v = items.mutable_unchecked<2>();
    for (std::size_t i = 0; i < r.items.size(); ++i) {
        const auto row = static_cast<py::ssize_t>(i);
        v(row, 0) = static_cast<std::int64_t>(r.items[i].params);
        v(row, 1) = static_cast<std::int64_t>(r.items[i].patient);
        v(row, 2) = static_cast<std::int64_t>(r.items[i].plan);
    }
    return py::make_tuple(
        to_numpy(std::move(params),
                 {static_cast<py::ssize_t>(r.params.size()), static_cast<py::ssize_t>(kNumParams)}),
        to_numpy(std::move(patients), {static_cast<py::ssize_t>(r.patients.size()),
                                       static_cast<py::ssize_t>(kNumPatientColumns)}),
        plans, items,
        to_numpy(std::vector<double>(r.t_out), {static_cast<py::ssize_t>(r.t_out.size())}), r.t_end,
        r.options);
}

BatchRequest request_from_state(const py::tuple& s) {
    if (s.size() != 7) throw std::runtime_error("BatchRequest: invalid pickled state");
    return make_request(s[0].cast<DoubleArray>(), s[1].cast<DoubleArray>(),
                        s[2].cast<std::vector<DoubleArray>>(), s[3].cast<IndexArray>(),
                        s[4].cast<DoubleArray>(), s[5].cast<double>(), s[6].cast<SolverOptions>());
}

using ResultPtr = std::shared_ptr<BatchResult>;

const BatchResult& result_of(const py::object& self) {
    return *self.cast<ResultPtr>();
}

py::ssize_t size(std::size_t n) {
    return static_cast<py::ssize_t>(n);
}

}  // namespace

void register_batch(py::module_& m) {
    PYBIND11_NUMPY_DTYPE(SolverStats, steps, rejected_steps, rhs_evaluations, jacobian_evaluations,
                         lu_decompositions, clipped_steps);
    py::class_<BatchRequest>(m, "BatchRequest",
                             "Many simulations: tables of parameter rows (R, P), patient rows "
                             "(Q, 8), plans [(k, 5), ...], items (n, 3) indexing them (params, "
                             "patient, plan), shared output days, horizon and options.")
        .def(py::init(&make_request), py::arg("params"), py::arg("patients"), py::arg("plans"),
             py::arg("items"), py::arg("t_eval"), py::arg("t_end"), py::arg("options"))
        .def_property_readonly("n_items", [](const BatchRequest& r) { return r.items.size(); })
        .def_readonly("options", &BatchRequest::options)
        .def(py::pickle(&request_state, &request_from_state));

    py::class_<BatchResult, ResultPtr>(
        m, "BatchResult",
        "What simulate_batch() returns: arrays with the items first, read-only views of the "
        "C++ result; values of a failed item are NaN.")
        .def_property_readonly("n_items", [](const BatchResult& b) { return b.n_items; })
        .def_property_readonly("max_sessions", [](const BatchResult& b) { return b.max_sessions; })
        .def_property_readonly("states",
                               [](const py::object& self) {
                                   const BatchResult& b = result_of(self);
                                   return view(
                                       self, b.states.data(),
                                       {size(b.n_items), size(b.n_times), size(kNumStates)});
                               })
        .def_property_readonly(
            "session_days",
            [](const py::object& self) {
                const BatchResult& b = result_of(self);
                return view(self, b.session_times.data(), {size(b.n_items), size(b.max_sessions)});
            })
        .def_property_readonly("post_session",
                               [](const py::object& self) {
                                   const BatchResult& b = result_of(self);
                                   return view(
                                       self, b.post_session.data(),
                                       {size(b.n_items), size(b.max_sessions), size(kNumStates)});
                               })
        .def_property_readonly("sessions",
                               [](const py::object& self) {
                                   const BatchResult& b = result_of(self);
                                   return view(self, b.sessions.data(), {size(b.n_items)});
                               })
        .def_property_readonly("time_above",
                               [](const py::object& self) {
                                   const BatchResult& b = result_of(self);
                                   return view(
                                       self, b.time_above.data(),
                                       {size(b.n_items), size(b.n_events), size(b.max_sessions)});
                               })
        .def_property_readonly(
            "first_upward",
            [](const py::object& self) {
                const BatchResult& b = result_of(self);
                return view(self, b.first_upward.data(), {size(b.n_items), size(b.n_events)});
            })
        .def_property_readonly(
            "effective",
            [](const py::object& self) {
                const BatchResult& b = result_of(self);
                return view(self, b.effective.data(), {size(b.n_items), size(kNumParams)});
            })
        .def_property_readonly(
            "baseline",
            [](const py::object& self) {
                const BatchResult& b = result_of(self);
                return view(self, b.baseline.data(), {size(b.n_items), size(kNumStates)});
            })
        .def_property_readonly("stats",
                               [](const py::object& self) {
                                   const BatchResult& b = result_of(self);
                                   return view(self, b.stats.data(), {size(b.n_items)});
                               })
        .def_property_readonly(
            "status",
            [](const py::object& self) {
                const BatchResult& b = result_of(self);
                return view(self, reinterpret_cast<const std::uint8_t*>(b.status.data()),
                            {size(b.n_items)});
            },
            "0 ok, 1 invalid input (ValueError), 2 solver error, 3 other error.")
        .def_property_readonly("error", [](const BatchResult& b) { return b.error; });

    m.def(
        "simulate_batch",
        [](const BatchRequest& req, std::size_t threads) {
            auto out = std::make_shared<BatchResult>();
            {
                // Pure C++ from here: the worker threads never touch a Python object.
                py::gil_scoped_release release;
                *out = simulate_batch(req, threads);
            }
            return out;
        },
        py::arg("request"), py::arg("threads"),
        "Simulates the items of a BatchRequest on a pool of threads (0: every hardware thread).");
}

}  // namespace skinremodel::bindings
