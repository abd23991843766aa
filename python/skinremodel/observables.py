"""Observables: what clinics and studies measure, computed from the model states.

Each observable maps the 14 states (and the patient's baseline and effective parameters) to a
measurable quantity (model documentation, section "Observables"). They are evaluated lazily on a
:class:`~skinremodel.Result`; ``res["ultrasound_density"]`` is an array over the output days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from . import _core

__all__ = ["STATE_NAMES", "Observable", "OBSERVABLES", "ObservableContext"]

#: Names of the 14 model states, in engine order.
STATE_NAMES: tuple[str, ...] = tuple(_core.state_names())
_I = {name: i for i, name in enumerate(STATE_NAMES)}
_PARAM_INDEX = {name: i for i, name in enumerate(_core.parameter_names())}

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ObservableContext:
    """What an observable needs besides the states: baseline and effective parameters."""

    baseline: Array
    effective: Array

    def p(self, name: str) -> float:
        """Effective (patient-specific) value of a parameter."""
        return float(self.effective[_PARAM_INDEX[name]])


@dataclass(frozen=True)
class Observable:
    """A named function of the states, with its unit and meaning."""

    name: str
    unit: str
    description: str
    function: Callable[[Array, ObservableContext], Array]

    def __call__(self, states: Array, ctx: ObservableContext) -> Array:
        """Evaluate on states shaped (n, 14) (or (14,))."""
        return self.function(np.atleast_2d(states), ctx)


def _col(y: Array, name: str) -> Array:
    return y[:, _I[name]]


def _total(y: Array, ctx: ObservableContext) -> Array:
    return _col(y, "C3") + _col(y, "C1") + _col(y, "Cm")


def _collagen_I(y: Array, ctx: ObservableContext) -> Array:
    s = ctx.p("I_share_m")
    b = ctx.baseline
    return (_col(y, "C1") + s * _col(y, "Cm")) / (b[_I["C1"]] + s * b[_I["Cm"]])


def _collagen_III(y: Array, ctx: ObservableContext) -> Array:
    s = 1.0 - ctx.p("I_share_m")
    b = ctx.baseline
    return (_col(y, "C3") + s * _col(y, "Cm")) / (b[_I["C3"]] + s * b[_I["Cm"]])


def _elastin(y: Array, ctx: ObservableContext) -> Array:
    b = ctx.baseline
    return (_col(y, "E") + _col(y, "Et")) / (b[_I["E"]] + b[_I["Et"]])


def _ultrasound(y: Array, ctx: ObservableContext) -> Array:
    oedema = _col(y, "N") + _col(y, "M1") + _col(y, "M2")
    return 1.0 + ctx.p("kap_US") * (_total(y, ctx) - 1.0) - ctx.p("kap_oed") * oedema


def _elasticity(y: Array, ctx: ObservableContext) -> Array:
    b = ctx.baseline
    d_cm = _col(y, "Cm") - b[_I["Cm"]]
    d_e = _col(y, "E") - b[_I["E"]]
    return 1.0 + ctx.p("kap_el") * (d_cm + 2.0 * d_e)


def visible_index_weights(ctx: ObservableContext) -> tuple[Array, float]:
    """Weights w and offset c with G = w . y - c (G is linear in the states)."""
    scale = ctx.p("g_scale")
    w = np.zeros(len(STATE_NAMES))
    w[_I["Cm"]] = scale
    w[_I["C3"]] = scale * ctx.p("g_imm")
    w[_I["C1"]] = scale * ctx.p("g_imm")
    w[_I["E"]] = scale * ctx.p("g_E")
    return w, float(w @ ctx.baseline)


def _oct(y: Array, ctx: ObservableContext) -> Array:
    return 1.0 + ctx.p("kap_oct") * (_col(y, "Cm") - ctx.baseline[_I["Cm"]])


def _visible(y: Array, ctx: ObservableContext) -> Array:
    w, c = visible_index_weights(ctx)
    return y @ w - c


def _patient_rated(y: Array, ctx: ObservableContext) -> Array:
    g = _visible(y, ctx)
    return 100.0 * (1.0 - np.exp(-np.maximum(g, 0.0) / ctx.p("G_s")))


def _tropoelastin(y: Array, ctx: ObservableContext) -> Array:
    return _col(y, "Et") / ctx.baseline[_I["Et"]]


OBSERVABLES: dict[str, Observable] = {
    o.name: o
    for o in (
        Observable("total_collagen", "x baseline", "C3 + C1 + Cm", _total),
        Observable("mature_collagen", "x baseline total collagen", "crosslinked collagen Cm",
                   lambda y, c: _col(y, "Cm")),
        Observable("new_collagen", "x baseline total collagen",
                   "newly deposited, immature collagen C3 + C1", lambda y, c: _col(y, "C3") + _col(y, "C1")),
        Observable("collagen_I", "x baseline", "type-I immunostaining, (C1 + s Cm) / baseline",
                   _collagen_I),
        Observable("collagen_III", "x baseline",
                   "type-III immunostaining, (C3 + (1 - s) Cm) / baseline", _collagen_III),
        Observable("maturity_index", "1", "crosslinked share of collagen, Cm / C",
                   lambda y, c: _col(y, "Cm") / _total(y, c)),
        Observable("tropoelastin", "x baseline", "soluble tropoelastin Et / Et_0", _tropoelastin),
        Observable("elastin", "x baseline", "total elastin (E + Et) / baseline", _elastin),
        Observable("ultrasound_density", "x baseline",
                   "HFUS dermal density: 1 + kap_US (C - 1) - kap_oed (N + M1 + M2)", _ultrasound),
        Observable("elasticity", "x baseline",
                   "Cutometer/BTC elasticity: 1 + kap_el (dCm + 2 dE)", _elasticity),
        Observable("oct_attenuation", "x baseline",
                   "OCT attenuation coefficient: 1 + kap_oct (Cm - Cm*)", _oct),
        Observable("erythema", "1", "redness R (visible above R_vis)", lambda y, c: _col(y, "R")),
        Observable("visible_improvement", "1",
                   "structural gain G = g_scale (dCm + g_imm (dC3 + dC1) + g_E dE)", _visible),
        Observable("patient_rated_improvement", "%",
                   "100 (1 - exp(-G / G_s)), G clipped at 0", _patient_rated),
    )
}
