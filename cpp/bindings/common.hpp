// Shared helpers of the binding layer: the only place besides the bind_*.cpp files that
// includes pybind11. Arrays are checked for shape here and converted to core types.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/schedule.hpp"
#include "skinremodel/model/state.hpp"
#include "skinremodel/simulation/simulate.hpp"

namespace skinremodel::bindings {

namespace py = pybind11;
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Hands a vector to numpy without copying: the array owns the moved vector through a capsule.
py::array_t<double> to_numpy(std::vector<double>&& v, std::vector<py::ssize_t> shape);

template <std::size_t N>
py::array_t<double> to_numpy(const std::array<double, N>& a) {
    return to_numpy(std::vector<double>(a.begin(), a.end()), {static_cast<py::ssize_t>(N)});
}

Params params_from(const DoubleArray& a);
State state_from(const DoubleArray& a, const char* what);
std::vector<double> vector_from(const DoubleArray& a, const char* what);
// Sessions arrive as an (n, 5) array: day, depth_mm, density_per_cm2, needle_diameter_mm
// (NaN for the parameter w), dose_scale.
std::vector<Session> sessions_from(const DoubleArray& a);
std::vector<LinearEvent> events_from(const DoubleArray& weights, const DoubleArray& levels);
SolverOptions options_from(const std::string& method, double rtol, const DoubleArray& atol,
                           std::size_t max_steps);

// The arguments shared by simulate() and simulate_sensitivities(), as a request.
SimulationRequest request_from(const DoubleArray& params, const Patient& patient,
                               const DoubleArray& sessions, const DoubleArray& t_eval, double t_end,
                               const std::string& method, double rtol, const DoubleArray& atol,
                               std::size_t max_steps, double initial_step, double max_step,
                               const DoubleArray& event_weights, const DoubleArray& event_levels);
// A trajectory as the dict of numpy arrays that skinremodel.Result reads (moves the data).
py::dict trajectory_dict(Trajectory&& tr);

// One registration function per area, called from module.cpp.
void register_model(py::module_& m);
void register_simulate(py::module_& m);
void register_batch(py::module_& m);
void register_sensitivity(py::module_& m);

}  // namespace skinremodel::bindings
