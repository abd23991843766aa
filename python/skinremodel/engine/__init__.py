"""The engine: one call into the C++ solver, its results, sensitivities and batches.

- :mod:`.sensitivities`: derivatives of states and observables.
- :mod:`.result`: :class:`~skinremodel.Result`.
- :mod:`.simulate`: :func:`~skinremodel.simulate`.
- :mod:`.batch_result`, :mod:`.batch`: :func:`~skinremodel.simulate_many` and its result.
- :mod:`.xarray_io`: xarray views of results and the netCDF result file.
"""
