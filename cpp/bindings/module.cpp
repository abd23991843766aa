// skinremodel._core: a thin binding of the C++ engine. The friendly API lives in Python
// (python/skinremodel); this layer binds the engine's request and result types as classes,
// exports the tables the Python layer reads (names, bounds), releases the GIL around solves and
// maps exceptions: InvalidInput (a std::invalid_argument) -> ValueError, SolverError ->
// SolverError. Each area registers itself from its own bind_*.cpp file.
#include "common.hpp"
#include "skinremodel/errors.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
    m.doc() = "C++ engine of skinremodel (private; use the skinremodel package).";
#ifdef SKINREMODEL_VERSION
    m.attr("__version__") = SKINREMODEL_VERSION;
#endif
    py::register_exception<skinremodel::SolverError>(m, "SolverError", PyExc_RuntimeError);
    skinremodel::bindings::register_model(m);
    skinremodel::bindings::register_simulate(m);
    skinremodel::bindings::register_sensitivity(m);
    skinremodel::bindings::register_batch(m);
}
