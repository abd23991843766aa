// Shared helpers of the binding layer: the only place besides the bind_*.cpp files that
// includes pybind11. Arrays are checked for shape here and converted to core types; results go
// back as read-only numpy views of the C++ objects that own them (no copies).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/schedule.hpp"
#include "skinremodel/model/state.hpp"
#include "skinremodel/simulation/sensitivity.hpp"
#include "skinremodel/simulation/simulate.hpp"

namespace skinremodel::bindings {

namespace py = pybind11;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IndexArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

// Hands a vector to numpy without copying: the array owns the moved vector through a capsule.
py::array_t<double> to_numpy(std::vector<double>&& v, std::vector<py::ssize_t> shape);

template <std::size_t N>
py::array_t<double> to_numpy(const std::array<double, N>& a) {
    return to_numpy(std::vector<double>(a.begin(), a.end()), {static_cast<py::ssize_t>(N)});
}

// A read-only, C-contiguous numpy view of data owned by `owner` (a bound object that keeps the
// data alive as long as the view exists).
template <class T>
py::array view(const py::handle& owner, const T* data, std::vector<py::ssize_t> shape) {
    static const T empty{};
    py::array a(py::dtype::of<T>(), std::move(shape), {}, data != nullptr ? data : &empty, owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

Params params_from(const DoubleArray& a);
State state_from(const DoubleArray& a, const char* what);
std::vector<double> vector_from(const DoubleArray& a, const char* what);
// A patient from its numeric row (patient_columns() order; see model/patient.hpp).
Patient patient_from(const DoubleArray& row, const char* what = "patient");
// Sessions arrive as an (n, 5) array: day, depth_mm, density_per_cm2, needle_diameter_mm
// (NaN for the parameter w), dose_scale.
std::vector<Session> sessions_from(const DoubleArray& a);
py::array_t<double> sessions_to_numpy(const std::vector<Session>& sessions);
py::dict stats_dict(const SolverStats& stats);

// A trajectory as Python holds it: one simulation, with its sensitivities when they were asked
// for (sensitivity_names non-empty). Shared so that views of its sensitivities keep it alive.
struct BoundTrajectory {
    SensitivityTrajectory data;  // data.trajectory; data.columns == 0 without sensitivities
    std::vector<std::string> sensitivity_names;
    bool with_sensitivities = false;
};
using TrajectoryPtr = std::shared_ptr<BoundTrajectory>;

// The sensitivities of a bound trajectory (skinremodel._core.TrajectorySensitivities).
struct SensitivityView {
    TrajectoryPtr owner;
};

// The state of a trajectory for pickling, and the trajectory of such a state.
py::tuple trajectory_state(const BoundTrajectory& t);
TrajectoryPtr trajectory_from_state(const py::tuple& state);

// One registration function per area, called from module.cpp.
void register_model(py::module_& m);
void register_simulate(py::module_& m);
void register_sensitivity(py::module_& m);
void register_batch(py::module_& m);

}  // namespace skinremodel::bindings
