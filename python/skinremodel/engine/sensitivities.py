"""Sensitivities: derivatives of states and observables with respect to parameters and depths.

The engine integrates the forward sensitivities of the 15 states (``docs/fitting.md``). An
observable depends on the states, on the patient's baseline and on effective parameters, so its
sensitivity follows by the chain rule from the observable's partial derivatives
(:meth:`Observable.partials`), the state sensitivities, the sensitivity of the baseline and that of
the effective parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .. import _core
from ..model.observables import OBSERVABLES, STATE_NAMES, Observable, ObservableContext
from ..model.parameters import Parameters
from ..model.variables import did_you_mean, unknown_name
from ..plans.schedule import Schedule
from . import xarray_io

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

__all__ = [
    "Sensitivities",
    "check_sensitivity_names",
    "observable_sensitivity",
    "sensitivity_column",
]

Array = NDArray[np.float64]
_PARAM_INDEX = {name: i for i, name in enumerate(Parameters.default().names)}


def sensitivity_column(name: str, schedule: Schedule) -> tuple[str, int]:
    """Return ``(kind, index)`` of a column name, as the core parses it.

    ``("parameter", i)``, ``("depth_mm", k)`` or ``("day", k)`` (session k of the plan).

    Raises
    ------
    ValueError
        An unknown or malformed name, or a session the plan does not have (the message suggests
        close parameter names).
    """
    try:
        kind, index = _core.sensitivity_column(name, len(schedule))
    except ValueError as exc:
        raise ValueError(f"{exc}{did_you_mean(name, _PARAM_INDEX)}") from None
    return kind, index


def check_sensitivity_names(names: Any, schedule: Schedule) -> list[str]:
    """Validate sensitivity names: parameter names, ``depth_mm[k]`` or ``day[k]`` (session k).

    Raises
    ------
    TypeError
        ``names`` is not a sequence of strings.
    ValueError
        An unknown or repeated name, or a session index outside the plan.
    """
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise TypeError(
            "sensitivities must be a list of parameter names or 'depth_mm[k]' strings, "
            f"got {type(names).__name__}"
        )
    out = list(names)
    if not out:
        raise ValueError("sensitivities must name at least one parameter, depth_mm[k] or day[k]")
    for name in out:
        if not isinstance(name, str):
            raise TypeError(f"sensitivities: every name must be a string, got {name!r}")
        sensitivity_column(name, schedule)
    repeated = sorted({n for n in out if out.count(n) > 1})
    if repeated:
        raise ValueError(f"sensitivities: {', '.join(map(repr, repeated))} listed twice")
    return out


def observable_sensitivity(
    observable: Observable,
    states: Array,
    state_sensitivity: Array,
    ctx: ObservableContext,
    baseline_sensitivity: Array,
    effective_sensitivity: Array,
) -> Array:
    """Chain rule: the sensitivity of an observable at n points.

    Parameters
    ----------
    observable : Observable
    states : numpy.ndarray
        States, shape (n, 15).
    state_sensitivity : numpy.ndarray
        d(state)/d(column), shape (n, 14, m).
    ctx : ObservableContext
        Baseline and effective parameters of the patient.
    baseline_sensitivity : numpy.ndarray
        d(baseline state)/d(column), shape (14, m).
    effective_sensitivity : numpy.ndarray
        d(effective parameter)/d(column), shape (n_parameters, m).

    Returns
    -------
    numpy.ndarray
        d(observable)/d(column), shape (n, m).
    """
    g = observable.partials(states, ctx)
    out = np.einsum("ni,nim->nm", g.states, state_sensitivity)
    if g.baseline is not None:
        out += g.baseline @ baseline_sensitivity
    for name, partial in g.params.items():
        out += partial[:, None] * effective_sensitivity[_PARAM_INDEX[name]][None, :]
    return np.asarray(out, dtype=np.float64)


class Sensitivities:
    """Derivatives of every state and observable of a simulation with respect to chosen columns.

    Columns are nominal parameters (before the patient's covariates), session depths, named
    ``"depth_mm[k]"`` for session k (counted from 0), and session days, ``"day[k]"``. A day
    column is the derivative with respect to moving session k: zero before it, and after it
    the jump-time sensitivity (dJ/dy) f(y-) - f(y+) carried forward by the model; on the
    session's own day (where the output is discontinuous in the session day) it is the
    right limit, and ``pre_session`` is 0 for it (``docs/optimisation.md``). Returned by
    :func:`skinremodel.simulate` with ``sensitivities=[...]`` as ``result.sensitivities``.

    Attributes
    ----------
    names : tuple of str
        The columns, in the order they were requested.
    t : numpy.ndarray
        Output days (as :attr:`Result.t`).
    states : numpy.ndarray
        d(state)/d(column), shape (time, 14, column). On a session day: right after the session.
    pre_session, post_session : numpy.ndarray
        d(state)/d(column) right before and right after each simulated session, (session, 14,
        column).
    baseline : numpy.ndarray
        d(pre-treatment state)/d(column), shape (14, column).
    effective : numpy.ndarray
        d(effective parameter)/d(column), shape (parameter, column).
    stats : dict
        Counters of the sensitivity integration.
    """

    def __init__(
        self,
        sensitivities: _core.TrajectorySensitivities,
        t: Array,
        ctx: ObservableContext,
        params: Parameters,
        schedule: Schedule,
        y: Array,
        pre_session_states: Array,
        post_session_states: Array,
    ) -> None:
        # Read-only views of the engine's result (they keep it alive).
        self.names: tuple[str, ...] = tuple(sensitivities.names)
        self.t: Array = t
        self.states: Array = sensitivities.states
        self.pre_session: Array = sensitivities.pre_session
        self.post_session: Array = sensitivities.post_session
        self.baseline: Array = sensitivities.baseline
        self.effective: Array = sensitivities.effective
        self.stats: dict[str, int] = dict(sensitivities.stats)
        self._ctx = ctx
        self._y = y
        self._session_states = {"pre": pre_session_states, "post": post_session_states}
        self._values = np.array(
            [_column_value(n, params, schedule) for n in self.names], dtype=np.float64
        )
        self._cache: dict[str, Array] = {}

    @property
    def values(self) -> Array:
        """The value of each column (parameter value or session depth), for scaling."""
        return self._values.copy()

    def __getitem__(self, name: str) -> Array:
        """d(state or observable)/d(column) over the output days, shape (time, column)."""
        if name in STATE_NAMES:
            return self.states[:, STATE_NAMES.index(name), :]
        if name in OBSERVABLES:
            if name not in self._cache:
                self._cache[name] = observable_sensitivity(
                    OBSERVABLES[name],
                    self._y,
                    self.states,
                    self._ctx,
                    self.baseline,
                    self.effective,
                )
            return self._cache[name]
        raise unknown_name(
            name,
            STATE_NAMES + tuple(OBSERVABLES),
            message=f"{name!r} is neither a state nor an observable",
        )

    def array(self, variables: Sequence[str] | None = None, *, scaled: bool = False) -> Array:
        """Sensitivities of several variables, shape (time, variable, column).

        Parameters
        ----------
        variables : sequence of str, optional
            States and observables (default: the 15 states, then every observable).
        scaled : bool
            Multiply each column by its value: d(variable)/d(log column).
        """
        names = list(STATE_NAMES + tuple(OBSERVABLES)) if variables is None else list(variables)
        out = np.stack([self[n] for n in names], axis=1)
        return out * self._values[None, None, :] if scaled else out

    @property
    def observables(self) -> Array:
        """d(observable)/d(column) for every observable, shape (time, observable, column)."""
        return self.array(list(OBSERVABLES))

    def at_sessions(self, name: str, which: str = "pre") -> Array:
        """Sensitivity of a state or observable right before (``"pre"``) or after each session.

        Returns an array of shape (session, column).
        """
        if which not in ("pre", "post"):
            raise ValueError(f"which must be 'pre' or 'post', got {which!r}")
        s = self.pre_session if which == "pre" else self.post_session
        if name in STATE_NAMES:
            return s[:, STATE_NAMES.index(name), :]
        if name not in OBSERVABLES:
            raise unknown_name(
                name,
                STATE_NAMES + tuple(OBSERVABLES),
                message=f"{name!r} is neither a state nor an observable",
            )
        return observable_sensitivity(
            OBSERVABLES[name],
            self._session_states[which],
            s,
            self._ctx,
            self.baseline,
            self.effective,
        )

    def to_pandas(
        self, variables: Iterable[str] | None = None, *, scaled: bool = False
    ) -> pd.DataFrame:
        """Tidy table with columns ``day``, ``variable``, ``parameter``, ``value``."""
        names = list(STATE_NAMES + tuple(OBSERVABLES)) if variables is None else list(variables)
        a = self.array(names, scaled=scaled)
        n_t, n_v, n_c = a.shape
        return pd.DataFrame(
            {
                "day": np.repeat(self.t, n_v * n_c),
                "variable": np.tile(np.repeat(np.array(names, dtype=object), n_c), n_t),
                "parameter": np.tile(np.array(self.names, dtype=object), n_t * n_v),
                "value": a.reshape(-1),
            }
        )

    def to_xarray(
        self, variables: Iterable[str] | None = None, *, scaled: bool = False
    ) -> xr.Dataset:
        """Sensitivities as an :class:`xarray.Dataset` (time x variable x parameter).

        One data variable per state and observable over (``day``, ``parameter``), with units
        and descriptions as attributes; ``ds.to_array("variable")`` gives the 3-d array.

        Parameters
        ----------
        variables : iterable of str, optional
            States and observables (default: all).
        scaled : bool
            d(variable)/d(log parameter) instead of d(variable)/d(parameter).
        """
        return xarray_io.sensitivities_to_xarray(self, variables, scaled=scaled)

    def __repr__(self) -> str:
        return (
            f"<Sensitivities: {len(self.names)} columns ({', '.join(self.names)}), "
            f"{len(self.t)} output days>"
        )


def _column_value(name: str, params: Parameters, schedule: Schedule) -> float:
    kind, index = sensitivity_column(name, schedule)
    if kind == "depth_mm":
        return float(schedule[index].depth_mm)
    if kind == "day":
        return float(schedule[index].day)
    return float(params.values_array[index])
