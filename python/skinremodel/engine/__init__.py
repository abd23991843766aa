"""The engine: one call into the C++ solver, its results, sensitivities and batches.

- :mod:`.xarray_io`: xarray views of results and the netCDF result file.
- :mod:`.sensitivities`: derivatives of states and observables.
- :mod:`.options`: :class:`~skinremodel.SolverOptions`, the integrator's settings, checked once.
- :mod:`.solver`: the checked inputs and the one call into the engine.
- :mod:`.result`: :class:`~skinremodel.Result` (it can run its inputs again).
- :mod:`.simulate`: :func:`~skinremodel.simulate`.
- :mod:`.batch_result`, :mod:`.batch`: :func:`~skinremodel.simulate_many` and its result.

The plots of results (:mod:`skinremodel.plotting`) belong to this layer.
"""
