"""xarray views of results, and the netCDF file of a :class:`~skinremodel.Result`.

Every object becomes an :class:`xarray.Dataset` with one data variable per state, observable
or metric, and ``units``, ``long_name`` and ``description`` attributes on each (from
:mod:`skinremodel.model.variables`); ``ds.to_array("variable")`` gives the stacked N-d array.

- :meth:`Result.to_xarray`: variables over ``day`` (time x variable), the session days, depths
  and doses over ``session`` and the states before and after each session.
- :meth:`BatchResult.to_xarray`: time metrics over (``item``, ``day``), per-session metrics over
  (``item``, ``session``), ``first_visible_day`` over ``item``; the item table as coordinates.
- :meth:`Sensitivities.to_xarray`: d(variable)/d(column) over (``day``, ``parameter``).
- :meth:`PredictionBands.to_xarray`: quantiles over (``day``, ``quantile``).

:meth:`Result.save` writes a netCDF file (netCDF3 through scipy, no extra library) with the
inputs as JSON attributes - plan, patient, every parameter value, integrator options, screening
overrides and the skinremodel version - so that :meth:`Result.load` rebuilds the result and
:meth:`Result.rerun` reproduces it. The file is written to a temporary name next to the target
and renamed, so a crash never leaves a half-written file.

xarray is imported by the functions that use it, so ``import skinremodel`` does not load it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .._version import __version__
from ..model.metrics import KIND_DIMS, METRICS
from ..model.observables import OBSERVABLES, STATE_NAMES
from ..model.variables import variable_info
from ..progress import logger

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

    from .batch_result import BatchResult
    from .result import Result
    from .sensitivities import Sensitivities

__all__ = [
    "result_to_xarray",
    "batch_to_xarray",
    "sensitivities_to_xarray",
    "bands_to_xarray",
    "save_result",
    "read_result_file",
    "raw_output",
    "ENGINE",
    "FORMAT",
]

#: xarray backend of the files: netCDF3 through scipy (a dependency already).
ENGINE: Literal["scipy"] = "scipy"
#: Identifies a skinremodel result file and its layout version.
FORMAT = "skinremodel.Result/1"

_DAY = {"units": "days", "long_name": "day", "description": "days since day 0 of the simulation"}


def _attrs(name: str) -> dict[str, str]:
    info = variable_info(name)
    return {"units": info.unit, "long_name": info.label, "description": info.description}


def result_to_xarray(res: Result, variables: Any = None) -> xr.Dataset:
    """Return the trajectories of a result as a Dataset (see :meth:`Result.to_xarray`)."""
    import xarray as xr

    names = list(res.names if variables is None else variables)
    for name in names:
        if name not in res.names:
            res[name]  # raises KeyError with suggestions
    data: dict[str, Any] = {n: ("day", np.asarray(res[n]), _attrs(n)) for n in names}
    state = {"units": "1", "long_name": "state", "description": "model state (engine order)"}
    data["session_day"] = (
        "session",
        res.session_days,
        {**_DAY, "long_name": "session day", "description": "day of each simulated session"},
    )
    data["depth_mm"] = (
        "session",
        np.array([res.schedule[k].depth_mm for k in range(len(res.session_days))], float),
        {
            "units": "mm",
            "long_name": "needle depth",
            "description": "nominal needle length of each session",
        },
    )
    data["dose"] = (
        "session",
        res.doses,
        {
            "units": "reference session = 1",
            "long_name": "dose u",
            "description": "injury dose of each session",
        },
    )
    data["pre_session"] = (
        ("session", "state"),
        res.pre_session,
        {
            "units": "see docs/model.md",
            "long_name": "states before session",
            "description": "states right before each session (left limit)",
        },
    )
    data["post_session"] = (
        ("session", "state"),
        res.post_session,
        {
            "units": "see docs/model.md",
            "long_name": "states after session",
            "description": "states right after each session",
        },
    )
    coords = {"day": ("day", res.t, _DAY), "state": ("state", list(STATE_NAMES), state)}
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "title": "skinremodel simulation",
            "skinremodel_version": __version__,
            "horizon_days": float(res.horizon),
            "plan": res.schedule.label() if hasattr(res.schedule, "label") else str(res.schedule),
            "method": str(res.options.method),
        }
    )
    return ds


def batch_to_xarray(batch: BatchResult) -> xr.Dataset:
    """Return the metrics of a batch as a Dataset (see :meth:`BatchResult.to_xarray`).

    Each metric is over ``item`` and the dimensions of its kind (:data:`KIND_DIMS`).
    """
    import xarray as xr

    data: dict[str, Any] = {}
    for name in batch.metrics:
        m = METRICS[name]
        data[name] = (
            ("item", *KIND_DIMS[m.kind]),
            np.asarray(batch.values(name)),
            {"units": m.unit, "long_name": m.label, "description": m.description},
        )
    data["session_day"] = (
        ("item", "session"),
        batch.session_days,
        {
            **_DAY,
            "long_name": "session day",
            "description": "day of each simulated session (NaN beyond the item's sessions)",
        },
    )
    coords: dict[str, Any] = {
        "item": ("item", batch.items.index.to_numpy()),
        "day": ("day", batch.days, _DAY),
    }
    for column in batch.items.columns:
        values = batch.items[column].to_numpy()
        if values.dtype == object:
            values = values.astype(str)
        coords[str(column)] = ("item", values)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "title": "skinremodel batch",
            "skinremodel_version": __version__,
            "horizon_days": float(batch.horizon),
            "method": str(batch.options.method),
        }
    )
    return ds


def sensitivities_to_xarray(
    sens: Sensitivities, variables: Any = None, *, scaled: bool = False
) -> xr.Dataset:
    """Sensitivities as a Dataset (see :meth:`Sensitivities.to_xarray`)."""
    import xarray as xr

    names = list(STATE_NAMES + tuple(OBSERVABLES)) if variables is None else list(variables)
    values = sens.array(names, scaled=scaled)
    data = {}
    for j, name in enumerate(names):
        info = variable_info(name)
        unit = info.unit if scaled else f"{info.unit} per unit of the parameter"
        data[name] = (
            ("day", "parameter"),
            values[:, j, :],
            {
                "units": unit,
                "long_name": f"sensitivity of {info.label}",
                "description": (
                    f"d({name})/d(log parameter)" if scaled else f"d({name})/d(parameter)"
                )
                + f"; {info.description}",
            },
        )
    coords = {
        "day": ("day", sens.t, _DAY),
        "parameter": ("parameter", list(sens.names)),
        "parameter_value": (
            "parameter",
            sens.values,
            {"long_name": "value of the parameter or session depth"},
        ),
    }
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "title": "skinremodel sensitivities",
            "scaled": int(scaled),
            "skinremodel_version": __version__,
        }
    )
    return ds


def bands_to_xarray(bands: pd.DataFrame) -> xr.Dataset:
    """Return population prediction bands as a Dataset (see :meth:`PredictionBands.to_xarray`)."""
    import xarray as xr

    observables = list(dict.fromkeys(bands.index.get_level_values("observable")))
    qs = [float(q) for q in bands.attrs.get("quantiles", [])] or [
        float(str(c).rstrip("%")) / 100 for c in bands.columns
    ]
    data = {}
    days = None
    for name in observables:
        frame = bands.xs(name, level="observable")
        days = frame.index.to_numpy(dtype=float)
        info = _attrs(name)
        data[name] = (
            ("day", "quantile"),
            frame.to_numpy(dtype=float),
            {**info, "description": f"population quantiles of {info['description']}"},
        )
    coords = {
        "day": ("day", np.asarray(days if days is not None else [], float), _DAY),
        "quantile": ("quantile", np.asarray(qs), {"units": "1", "long_name": "probability"}),
    }
    ds = xr.Dataset(data, coords=coords)
    attrs = bands.attrs
    ds.attrs.update(
        {
            "title": "skinremodel population prediction bands",
            "plan": str(attrs.get("plan", "")),
            "session_days": np.asarray(attrs.get("session_days", []), float),
            "n_patients": int(attrs.get("n_patients", 0)),
            "n_failed": int(attrs.get("n_failed", 0)),
            "skinremodel_version": __version__,
        }
    )
    return ds


# ------------------------------------------------------------------------------ save / load
def _json_default(x: Any) -> Any:
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, (set, frozenset, tuple)):
        return list(x)
    raise TypeError(f"cannot store {type(x).__name__} in a result file")


def _inputs(res: Result) -> dict[str, Any]:
    return {
        "plan": res.schedule.to_dict(),
        "patient": res.patient.to_dict(),
        "parameters": dict(res.params.items()),
        "horizon": float(res.horizon),
        "t_eval": [float(t) for t in res.t],
        "options": res.options.to_dict(),
        "override": res.screening.overrides,
    }


def save_result(res: Result, path: str | os.PathLike[str]) -> Path:
    """Write a result and its inputs to a netCDF file, atomically (see :meth:`Result.save`)."""
    target = Path(path)
    ds = result_to_xarray(res)
    event, day, direction, at_session = res._crossing_arrays()
    ds["crossing_event"] = ("crossing", event.astype(np.int32))
    ds["crossing_day"] = ("crossing", day, {"units": "days"})
    ds["crossing_direction"] = ("crossing", direction.astype(np.int32))
    ds["crossing_at_session"] = ("crossing", at_session.astype(np.int8))
    ds.attrs.update(
        {
            "format": FORMAT,
            "inputs": json.dumps(_inputs(res), default=_json_default, sort_keys=True),
            "stats": json.dumps({k: int(v) for k, v in res.stats.items()}, sort_keys=True),
            "created_by": f"skinremodel {__version__}",
        }
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine=ENGINE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("saved result to %s", target)
    return target


def read_inputs(ds: xr.Dataset, where: str) -> dict[str, Any]:
    """Return the inputs stored in a result file (plan, patient, parameters, options)."""
    if ds.attrs.get("format") != FORMAT:
        raise ValueError(
            f"{where} is not a skinremodel result file (format "
            f"{ds.attrs.get('format')!r}, expected {FORMAT!r})"
        )
    out: dict[str, Any] = json.loads(ds.attrs["inputs"])
    return out


def read_result_file(path: str | os.PathLike[str]) -> tuple[xr.Dataset, dict[str, Any]]:
    """Read a file written by :func:`save_result`: the Dataset and the stored inputs.

    :meth:`Result.load` builds the result from them (with :func:`raw_output`).
    """
    import xarray as xr

    with xr.open_dataset(path, engine=ENGINE) as opened:
        ds = opened.load()
    return ds, read_inputs(ds, str(path))


def raw_output(ds: xr.Dataset) -> dict[str, Any]:
    """Return the engine's output stored in a result file.

    As ``_core.restore_trajectory`` takes it (with the request of the stored inputs).
    """
    n_sessions = ds.sizes.get("session", 0)
    states = len(STATE_NAMES)
    return {
        "t": ds["day"].to_numpy().astype(np.float64),
        "y": np.column_stack([ds[n].to_numpy() for n in STATE_NAMES]).astype(np.float64),
        "stats": json.loads(ds.attrs["stats"]),
        "session_days": ds["session_day"].to_numpy().astype(np.float64),
        "pre_session": ds["pre_session"].to_numpy().reshape(n_sessions, states),
        "post_session": ds["post_session"].to_numpy().reshape(n_sessions, states),
        "doses": ds["dose"].to_numpy().astype(np.float64),
        "crossing_event": ds["crossing_event"].to_numpy().astype(np.int64),
        "crossing_time": ds["crossing_day"].to_numpy().astype(np.float64),
        "crossing_direction": ds["crossing_direction"].to_numpy().astype(np.int64),
        "crossing_at_session": ds["crossing_at_session"].to_numpy().astype(np.int64),
    }
