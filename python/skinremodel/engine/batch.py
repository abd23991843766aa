"""simulate_many(): many patients, parameter sets and plans in one call of the C++ batch engine.

The items are split into chunks; each chunk is one call of the engine (a ``_core.BatchRequest``),
which runs the chunk's simulations on a pool of C++ threads with the GIL released, and returns
only the states at the requested days, each item's effective parameters and baseline, and the
per-session summary of its threshold crossings (the same summary a single run returns). The
requested metrics are read from those through the metrics registry
(:data:`skinremodel.model.metrics.METRICS`), as :class:`~skinremodel.Result` reads them, chunk by
chunk, so memory holds the metrics and never whole trajectories. Chunks run here, or on a Dask
cluster when a ``client`` is given; the results are the same bit for bit.
"""

from __future__ import annotations

import contextvars
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .. import _core
from .._validation import check_int
from ..limits import MAX_BATCH_ITEMS, MAX_BATCH_VALUES, check_count
from ..model.metrics import METRICS, metrics_of_kind
from ..model.observables import STATE_NAMES, ObservableContext
from ..model.parameters import Parameters, check_parameter_rows
from ..model.variables import did_you_mean
from ..patients.history import MedicalHistory
from ..patients.patient import Patient, covariates_from_codes, patient_codes
from ..patients.screening import ContraindicationError, check_overrides, screen
from ..plans.schedule import Schedule, as_schedule
from ..progress import logger, progress_bar, progress_enabled
from .batch_result import BatchResult
from .options import Method, SolverOptions, core_options, resolve_options
from .solver import resolve_params, resolve_times

__all__ = ["simulate_many", "run_chunk", "BatchChunk", "ChunkOutput"]

#: Description of the progress bar (Population sets "population" while it runs).
_PROGRESS_LABEL: contextvars.ContextVar[str] = contextvars.ContextVar(
    "progress_label", default="simulate_many"
)

#: Items per engine call when running locally: large enough to keep every thread busy...
LOCAL_CHUNK = 4096
#: ... and at most as many as keep one chunk's states (items x days x 14) within this many bytes,
#: so memory stays bounded with daily output too.
CHUNK_STATE_BYTES = 16 * 2**20


def simulate_many(
    plans: Schedule | ArrayLike | Sequence[Schedule] | Mapping[str, Schedule],
    patients: Patient | Sequence[Patient] | pd.DataFrame | None = None,
    params: Parameters
    | Mapping[str, float]
    | Sequence[Any]
    | pd.DataFrame
    | ArrayLike
    | None = None,
    days: float | ArrayLike = 365,
    *,
    metrics: str | Iterable[str] = ("total_collagen", "redness_hours"),
    t_eval: ArrayLike | None = None,
    horizon: float | None = None,
    cross: bool = False,
    options: SolverOptions | None = None,
    method: Method | None = None,
    rtol: float | None = None,
    atol: float | Mapping[str, float] | ArrayLike | None = None,
    max_steps: int | None = None,
    threads: int | None = None,
    client: Any = None,
    chunk_size: int | None = None,
    override: Mapping[str, str] | None = None,
    progress: bool | None = None,
) -> BatchResult:
    """Simulate many (plan, patient, parameter set) items in the C++ batch engine.

    Each item is simulated exactly as :func:`simulate` would (bitwise the same numbers, whatever
    the number of threads); only the requested metrics at the requested days are kept.

    Parameters
    ----------
    plans : Schedule, list of days, sequence of Schedule, or mapping of name to Schedule
        One plan for every item, or one per item. A list of numbers is one plan (session days).
    patients : Patient, sequence of Patient, or DataFrame, optional
        One patient for every item, or one per item; a DataFrame has one row per patient and
        columns named like :class:`Patient` fields (missing columns take the defaults).
        ``Patient()`` if omitted.
    params : Parameters, mapping, sequence, DataFrame or 2-d array, optional
        Nominal parameters. One set for every item (a :class:`Parameters` or a mapping of
        overrides of the defaults), or one per item: a sequence of those, a DataFrame whose
        columns are parameter names (overrides of the defaults, one row per item), or an array of
        shape (n, P) with every value in :attr:`Parameters.names` order.
    days : float or array_like
        The horizon (daily output from day 0 to it, as in :func:`simulate`). An array of output
        days is still accepted (the horizon is then the last of them); prefer ``t_eval``.
    metrics : str or iterable of str
        What to keep, by name in :data:`skinremodel.model.metrics.METRICS`: any state or
        observable (values at each output day), ``"redness_hours"`` and ``"downtime_days"`` (one
        value per session), ``"first_visible_day"`` (one value).
    t_eval : array_like, optional
        Output days, sorted, within ``[0, days]`` (as in :func:`simulate`); ``days`` is then
        the horizon. Sessions after the horizon are not simulated; the last session's window
        ends there.
    horizon : float, optional
        Deprecated (a DeprecationWarning): ``simulate_many(days=[...], horizon=H)`` is
        ``simulate_many(days=H, t_eval=[...])``.
    cross : bool
        False (default): per-item inputs are zipped; inputs given once are broadcast, and those
        given per item must have the same length. True: every combination of plans, patients
        and parameter sets (plan-major order).
    options : SolverOptions, optional
        The integrator's settings, shared by every item (as in :func:`simulate`).
    method, rtol, atol, max_steps : optional
        Shorthands for ``options``, as in :func:`simulate`.
    threads : int, optional
        C++ threads per engine call. Default: every core this process may use; with a Dask
        ``client``, 1 (the workers' threads run the chunks in parallel).
    client : dask.distributed.Client, optional
        Run the chunks as tasks on this cluster. Nothing of Dask is imported otherwise.
    chunk_size : int, optional
        Items per engine call. Default: 4096 locally, about four tasks per worker thread on a
        cluster; fewer if one chunk's states (items x output days x 14) would exceed 16 MB.
    override : mapping, optional
        ``{screening rule code: reason}``, as in :func:`simulate`. Patients given as
        :class:`Patient` objects with a medical history are screened for each plan
        (:func:`screen`); a contraindicated (patient, plan) item fails with
        ``error_type`` ``"ContraindicationError"``, like ``simulate`` would raise.
    progress : bool, optional
        Show a progress bar over the items (default: in a terminal or notebook only; see
        :mod:`skinremodel.progress`). With a bar and no ``chunk_size``, local chunks are
        smaller so that the bar moves; the numbers are the same.

    Returns
    -------
    BatchResult
        ``res.to_pandas()`` gives a tidy table (item, metric, day, session, value);
        ``res.items`` the inputs of every item with ``failed`` and ``error`` columns;
        ``res.values(metric)`` a numpy array per metric.

    Raises
    ------
    ValueError, TypeError
        Invalid or inconsistent inputs (the message names the field). An item whose simulation
        fails does not raise: it is marked ``failed`` with its error message, and its values
        are NaN.

    Examples
    --------
    >>> import skinremodel as sr
    >>> plans = {"monthly x3": sr.Schedule.regular(3, every_days=30),
    ...          "6-weekly x3": sr.Schedule.regular(3, every_weeks=6)}
    >>> res = sr.simulate_many(plans, [sr.Patient(age=a) for a in (30, 50, 70)], cross=True,
    ...                        days=[90, 180, 365], metrics=["total_collagen"])
    >>> len(res), res.n_failed
    (6, 0)
    """
    opts = resolve_options(options, method=method, rtol=rtol, atol=atol, max_steps=max_steps)
    if horizon is not None:
        import warnings

        warnings.warn(
            "simulate_many(horizon=) is deprecated: give the horizon as days= and "
            "the output days as t_eval=, as in simulate()",
            DeprecationWarning,
            stacklevel=2,
        )
        if np.ndim(days) == 0 or t_eval is not None:
            raise TypeError("give the horizon either as days=<horizon> or as horizon=, not both")
        t_end, t_out = resolve_times(horizon, days, times_name="days", horizon_name="horizon")
    elif t_eval is not None:
        if np.ndim(days) != 0:
            raise TypeError("with t_eval= (the output days), days= is the horizon: one number")
        t_end, t_out = resolve_times(days, t_eval)
    elif np.ndim(days) == 0:
        t_end, t_out = resolve_times(days, None)
    else:
        t_end, t_out = resolve_times(None, days, times_name="days", horizon_name="days")
    metric_names = _resolve_metrics(metrics)
    if client is not None and not (hasattr(client, "map") and hasattr(client, "gather")):
        raise TypeError(
            f"client must be a dask.distributed.Client (Dask is optional: "
            f'pip install "skinremodel[dask]"), got {type(client).__name__}'
        )
    if threads is None:
        n_threads = 1 if client is not None else _available_cores()
    else:
        n_threads = check_int("threads", threads, 1, 4096)

    plan_list, plan_names = _resolve_plans(plans)
    patient_rows, patient_objects = _resolve_patients(patients)
    param_rows = _resolve_params(params)
    sizes = (len(plan_list), len(patient_rows), len(param_rows))
    n_items = math.prod(sizes) if cross else max(sizes)
    check_count("simulate_many: items (plans x patients x params)", n_items, MAX_BATCH_ITEMS)
    width = max(len(p) for p in plan_list)  # per-session metrics: one value per session
    per_item = sum(math.prod(METRICS[m].shape(len(t_out), width)) for m in metric_names)
    check_count(
        "simulate_many: values kept (items x output days x metrics)",
        n_items * per_item,
        MAX_BATCH_VALUES,
        "use fewer items, output days or metrics, or Population.simulate for quantiles",
    )
    items = _item_table(len(plan_list), len(patient_rows), len(param_rows), bool(cross))
    blocked = _screen_items(items, patient_objects, plan_list, override)

    chunk_options = _Options(
        t_out=t_out, t_end=t_end, options=opts, threads=n_threads, metrics=metric_names
    )
    plan_arrays = [p._to_array() for p in plan_list]
    n = len(items)
    show = progress_enabled(progress)
    size = _chunk_size(chunk_size, n, client, len(t_out))
    if show and chunk_size is None and client is None:
        size = min(size, max(64 * n_threads, -(-n // 50)))  # about 50 steps of the bar
    chunks = (  # built one at a time as they run (locally), so memory holds one chunk's inputs
        _make_chunk(
            items[start : start + size], param_rows, patient_rows, plan_arrays, chunk_options
        )
        for start in range(0, n, size)
    )
    logger.info(
        "simulate_many: %d items in %d chunks, %d threads per chunk%s",
        n,
        -(-n // size),
        n_threads,
        " on a Dask cluster" if client is not None else "",
    )
    with progress_bar(n, _PROGRESS_LABEL.get(), "item", show) as bar:
        if client is None:
            outputs = []
            for c in chunks:
                outputs.append(run_chunk(c))
                bar.update(c.n_items)
        elif not show:
            outputs = client.gather(client.map(run_chunk, list(chunks), pure=False))
        else:
            listed = list(chunks)
            futures = client.map(run_chunk, listed, pure=False)
            outputs = []
            for c, future in zip(listed, futures, strict=True):
                outputs.append(client.gather([future])[0])
                bar.update(c.n_items)

    item_frame = _item_frame(items, patient_rows, plan_names)
    return BatchResult.from_chunks(outputs, item_frame, t_out, t_end, metric_names, opts, blocked)


# ------------------------------------------------------------------------------ inputs
def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _resolve_metrics(metrics: str | Iterable[str]) -> tuple[str, ...]:
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    known = tuple(METRICS)
    if not names:
        raise ValueError("metrics must name at least one metric")
    for name in names:
        if not isinstance(name, str) or name not in known:
            hint = did_you_mean(name, known) if isinstance(name, str) else ""
            others = metrics_of_kind("session") + metrics_of_kind("item")
            raise ValueError(
                f"unknown metric {name!r}{hint}; choose states, observables or "
                f"{', '.join(others)}: {', '.join(known)}"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"metrics lists a name twice: {list(names)}")
    return names


def _resolve_plans(plans: Any) -> tuple[list[Schedule], list[str]]:
    if isinstance(plans, Mapping):
        if not plans:
            raise ValueError("plans is an empty mapping")
        named = [(str(k), as_schedule(v)) for k, v in plans.items()]
        return [p for _, p in named], [k for k, _ in named]
    if isinstance(plans, Schedule):
        single = [plans]
    elif isinstance(plans, (str, bytes)) or not isinstance(plans, Iterable):
        raise TypeError(
            "plans must be a Schedule, a list of session days, a sequence of "
            f"Schedules or a mapping of name to Schedule, got {type(plans).__name__}"
        )
    else:
        entries = list(plans)
        if all(
            isinstance(e, (int, float, np.integer, np.floating)) and not isinstance(e, bool)
            for e in entries
        ):
            single = [as_schedule(entries)]
        else:
            if not entries:
                raise ValueError("plans is empty")
            single = []
            for k, e in enumerate(entries):
                try:
                    single.append(as_schedule(e))
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"plans[{k}]: {exc}") from None
    names = [p.name if p.name else f"plan {k}" for k, p in enumerate(single)]
    return single, names


def _resolve_patients(patients: Any) -> tuple[NDArray[np.float64], list[Patient] | None]:
    """Numeric covariate rows, and the Patient objects when given as such (for screening)."""
    if patients is None:
        patients = Patient()
    if isinstance(patients, Patient):
        return patient_codes([patients]), [patients]
    if isinstance(patients, pd.DataFrame):
        if len(patients) == 0:
            raise ValueError("patients is an empty table")
        return patient_codes(patients), None
    if isinstance(patients, (str, bytes)) or not isinstance(patients, Iterable):
        raise TypeError(
            "patients must be a Patient, a sequence of Patients or a DataFrame of "
            f"covariates, got {type(patients).__name__}"
        )
    objects = list(patients)
    codes = patient_codes(objects)
    if len(codes) == 0:
        raise ValueError("patients is empty")
    return codes, objects


def _screen_items(
    items: NDArray[np.int64],
    patients: list[Patient] | None,
    plans: list[Schedule],
    override: Mapping[str, str] | None,
) -> dict[int, tuple[str, str]]:
    """Items that screening blocks: {item: (error type, message)}.

    Only a medical history can block (covariates give cautions at most), so patients without
    one are not screened; each (patient, plan) pair is screened once.
    """
    check_overrides(override)
    if patients is None:
        return {}
    with_history = {k for k, p in enumerate(patients) if p.history != MedicalHistory()}
    verdicts: dict[tuple[int, int], str | None] = {}
    blocked: dict[int, tuple[str, str]] = {}
    for item, (_, patient, plan) in enumerate(items):
        if patient not in with_history:
            continue
        key = (int(patient), int(plan))
        if key not in verdicts:
            screening = screen(patients[key[0]], plans[key[1]], override=override)
            verdicts[key] = (
                str(ContraindicationError(screening, plans[key[1]].label()))
                if screening.blocked
                else None
            )
        verdict = verdicts[key]
        if verdict is not None:
            blocked[item] = ("ContraindicationError", verdict)
    return blocked


def _resolve_params(params: Any) -> NDArray[np.float64]:
    if params is None or isinstance(params, (Parameters, Mapping)):
        return resolve_params(params).values_array[np.newaxis, :]
    names = Parameters.default().names
    if isinstance(params, pd.DataFrame):
        if len(params) == 0:
            raise ValueError("params is an empty table")
        unknown = [c for c in params.columns if c not in names]
        if unknown:
            Parameters.info(str(unknown[0]))  # raises with suggestions
        rows = np.tile(Parameters.default().values_array, (len(params), 1))
        for column in params.columns:
            rows[:, names.index(column)] = params[column].to_numpy(dtype=np.float64)
        return check_parameter_rows(rows)
    if isinstance(params, np.ndarray) and params.ndim == 2:
        return check_parameter_rows(params)
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(
            "params must be Parameters, a mapping, a sequence of those, a DataFrame "
            f"or a 2-d array, got {type(params).__name__}"
        )
    entries = list(params)
    if not entries:
        raise ValueError("params is empty")
    sets: list[NDArray[np.float64]] = []
    for k, entry in enumerate(entries):
        try:
            sets.append(resolve_params(entry).values_array)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"params[{k}]: {exc}") from None
    return np.vstack(sets)


def _item_table(n_plans: int, n_patients: int, n_params: int, cross: bool) -> NDArray[np.int64]:
    """Rows of (params, patient, plan) indices, one per item."""
    if cross:
        plan, patient, param = np.meshgrid(
            np.arange(n_plans), np.arange(n_patients), np.arange(n_params), indexing="ij"
        )
        return np.column_stack([param.ravel(), patient.ravel(), plan.ravel()]).astype(np.int64)
    lengths = {"plans": n_plans, "patients": n_patients, "params": n_params}
    n = max(lengths.values())
    wrong = {k: v for k, v in lengths.items() if v not in (1, n)}
    if wrong:
        given = ", ".join(f"{k}: {v}" for k, v in lengths.items())
        raise ValueError(
            f"per-item inputs must have the same length or be given once ({given}); "
            "pass cross=True for every combination"
        )
    idx = np.arange(n)
    return np.column_stack(
        [
            idx if n_params > 1 else np.zeros(n, np.int64),
            idx if n_patients > 1 else np.zeros(n, np.int64),
            idx if n_plans > 1 else np.zeros(n, np.int64),
        ]
    ).astype(np.int64)


def _item_frame(
    items: NDArray[np.int64], patient_rows: NDArray[np.float64], plan_names: list[str]
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "plan": [plan_names[k] for k in items[:, 2]],
            "patient": items[:, 1],
            "params": items[:, 0],
        }
    )
    frame = pd.concat([frame, covariates_from_codes(patient_rows[items[:, 1]])], axis=1)
    frame.index.name = "item"
    return frame


def _chunk_size(chunk_size: int | None, n: int, client: Any, n_days: int) -> int:
    if chunk_size is not None:
        return check_int("chunk_size", chunk_size, 1, 10**9)
    bound = max(16, CHUNK_STATE_BYTES // (n_days * len(STATE_NAMES) * 8))
    if client is None:
        return min(LOCAL_CHUNK, bound)
    try:
        workers = sum(client.nthreads().values())
    except Exception:  # noqa: BLE001 - any client-like object: fall back to a fixed split
        workers = 4
    return min(bound, max(1, math.ceil(n / (4 * max(1, workers)))))


# ------------------------------------------------------------------------------ chunks
@dataclass(frozen=True)
class _Options:
    t_out: NDArray[np.float64]
    t_end: float
    options: SolverOptions
    threads: int
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class BatchChunk:
    """One engine call: the engine's request and what to keep of it (picklable for Dask)."""

    request: _core.BatchRequest  # compact tables, and the items (params, patient, plan)
    threads: int
    metrics: tuple[str, ...]

    @property
    def n_items(self) -> int:
        """Items of the chunk."""
        return int(self.request.n_items)


@dataclass(frozen=True)
class ChunkOutput:
    """Metrics of one chunk: arrays with the chunk's items first."""

    values: dict[str, NDArray[np.float64]]
    session_days: NDArray[np.float64]  # (n, S) NaN-padded
    status: NDArray[np.int8]
    error: list[str]
    stats: dict[str, NDArray[np.int64]]


def _make_chunk(
    items: NDArray[np.int64],
    params: NDArray[np.float64],
    patients: NDArray[np.float64],
    plans: list[NDArray[np.float64]],
    options: _Options,
) -> BatchChunk:
    used_params, p_idx = np.unique(items[:, 0], return_inverse=True)
    used_patients, q_idx = np.unique(items[:, 1], return_inverse=True)
    used_plans, r_idx = np.unique(items[:, 2], return_inverse=True)
    local = np.column_stack([p_idx, q_idx, r_idx]).astype(np.int64)
    request = _core.BatchRequest(
        params[used_params],
        patients[used_patients],
        [plans[k] for k in used_plans],
        local,
        options.t_out,
        options.t_end,
        core_options(options.options),
    )
    return BatchChunk(request, options.threads, options.metrics)


def run_chunk(chunk: BatchChunk) -> ChunkOutput:
    """Run one chunk in the C++ engine and read the requested metrics from it.

    Module-level so that Dask workers can unpickle and call it.
    """
    raw = _core.simulate_batch(chunk.request, chunk.threads)
    # Each item's observable context: its effective parameters and baseline, from the engine.
    ctx = ObservableContext(
        baseline=raw.baseline[:, np.newaxis, :], effective=raw.effective[:, np.newaxis, :]
    )
    states, time_above, first_upward = raw.states, raw.time_above, raw.first_upward
    values = {
        name: _owned(METRICS[name].read(states, ctx, time_above, first_upward))
        for name in chunk.metrics
    }
    stats = raw.stats
    return ChunkOutput(
        values=values,
        session_days=np.array(raw.session_days),
        status=np.asarray(raw.status).astype(np.int8),
        error=list(raw.error),
        stats={k: stats[k].astype(np.int64) for k in stats.dtype.names or ()},
    )


def _owned(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the values in an array of their own (not a view keeping the engine's result)."""
    return values if values.flags.owndata else np.array(values, order="C")
