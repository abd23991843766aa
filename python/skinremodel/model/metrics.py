"""The metrics a user can ask for: one registry beside :data:`~skinremodel.OBSERVABLES`.

A metric is what :func:`~skinremodel.simulate_many` keeps (``metrics=``), what
:class:`~skinremodel.BatchResult`, :class:`~skinremodel.Population` and
:func:`~skinremodel.compare` read, and what :class:`~skinremodel.Result` answers
(``res["total_collagen"]``, ``res.redness_hours(k)``). Each has a kind:

- ``"day"``: a value on every output day: the 15 states and every observable;
- ``"session"``: a value per simulated session: ``redness_hours`` and ``downtime_days``, read
  from the core's summary of its threshold events (``Trajectory.time_above``: how long each
  threshold stays exceeded after each session, one episode chained into the next session while
  still exceeded);
- ``"item"``: one value per simulation: ``first_visible_day``, the first upward crossing of the
  visible-improvement threshold (``Trajectory.first_upward``).

The threshold events themselves (their names, levels and the summary of their crossings) are
defined once, in the C++ core (``simulation/thresholds.hpp``); :data:`EVENT_NAMES` is its list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from .. import _core
from .observables import OBSERVABLES, STATE_NAMES, ObservableContext
from .variables import variable_info

__all__ = ["EVENT_NAMES", "KIND_DIMS", "Metric", "METRICS", "MetricKind", "metrics_of_kind"]

Array = NDArray[np.float64]
MetricKind = Literal["day", "session", "item"]
#: The dimensions of one simulation's value of a metric of each kind (a batch adds ``item``
#: in front): one per output day, one per session, or a single number.
KIND_DIMS: dict[str, tuple[str, ...]] = {"day": ("day",), "session": ("session",), "item": ()}

#: The core's threshold events, in the order of its crossing tables and summaries: redness
#: visible (R > R_vis), downtime (R > R_down_frac R_vis), visible improvement (G > G_jnd).
EVENT_NAMES: tuple[str, ...] = tuple(_core.event_names())
_STATE_INDEX = {name: i for i, name in enumerate(STATE_NAMES)}


@dataclass(frozen=True)
class Metric:
    """One metric: what it is, its kind and unit, and how it is read from a simulation.

    Attributes
    ----------
    name : str
        ``"total_collagen"``, ``"Cm"``, ``"redness_hours"``, ...
    kind : {"day", "session", "item"}
        A value per output day, per simulated session, or one per simulation.
    label, unit, description : str
        For tables, axes and xarray attributes.
    source : {"state", "observable", "event"}
        What it reads: a state column, an observable of the states, or the core's summary of a
        threshold event.
    event : str or None
        The threshold event of an event metric (one of :data:`EVENT_NAMES`).
    scale : float
        Unit conversion of the event summary (days to hours: 24).
    """

    name: str
    kind: MetricKind
    label: str
    unit: str
    description: str
    source: Literal["state", "observable", "event"]
    event: str | None = None
    scale: float = 1.0

    def shape(self, n_days: int, n_sessions: int) -> tuple[int, ...]:
        """Shape of one simulation's value (:data:`KIND_DIMS`).

        ``n_days`` output days, and room for ``n_sessions`` sessions.
        """
        sizes = {"day": n_days, "session": n_sessions}
        return tuple(sizes[dim] for dim in KIND_DIMS[self.kind])

    def read(
        self, states: Array, ctx: ObservableContext, time_above: Array, first_upward: Array
    ) -> Array:
        """Read the metric from the arrays of a trajectory or a batch (items on leading axes).

        ``states`` (..., days, 15), ``time_above`` (..., events, sessions) and ``first_upward``
        (..., events), as the core returns them; ``ctx`` the patients' baselines and effective
        parameters (broadcasting against ``states``).
        """
        if self.source == "state":
            return states[..., _STATE_INDEX[self.name]]
        if self.source == "observable":
            return OBSERVABLES[self.name](states, ctx)
        assert self.event is not None
        e = EVENT_NAMES.index(self.event)
        if self.kind == "item":
            return first_upward[..., e]
        above = time_above[..., e, :]
        return above if self.scale == 1.0 else self.scale * above


def _day_metric(name: str, source: Literal["state", "observable"]) -> Metric:
    info = variable_info(name)
    return Metric(name, "day", info.label, info.unit, info.description, source)


#: Every metric by name: the states, the observables, then the metrics of the threshold events.
METRICS: dict[str, Metric] = {
    **{name: _day_metric(name, "state") for name in STATE_NAMES},
    **{name: _day_metric(name, "observable") for name in OBSERVABLES},
    "redness_hours": Metric(
        "redness_hours",
        "session",
        "visible redness",
        "h",
        "hours of visible redness (R above R_vis) after each session; skin still red at the next "
        "session stays red through it",
        "event",
        "redness_visible",
        24.0,
    ),
    "downtime_days": Metric(
        "downtime_days",
        "session",
        "downtime",
        "d",
        "days until redness falls below R_down_frac * R_vis after each session",
        "event",
        "downtime",
    ),
    "first_visible_day": Metric(
        "first_visible_day",
        "item",
        "first visible day",
        "day",
        "first day the visible improvement passes G_jnd (NaN if it never does)",
        "event",
        "visible_improvement",
    ),
}


def metrics_of_kind(kind: MetricKind) -> tuple[str, ...]:
    """Names of the metrics of one kind, in registry order."""
    return tuple(name for name, m in METRICS.items() if m.kind == kind)
