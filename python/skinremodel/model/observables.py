"""Observables: what clinics and studies measure, computed from the model states.

Each observable maps the 15 states (and the patient's baseline and effective parameters) to a
measurable quantity (model documentation, section "Observables"). They are evaluated lazily on a
:class:`~skinremodel.Result`; ``res["ultrasound_density"]`` is an array over the output days.

Each observable also gives its partial derivatives with respect to the states, the baseline
states and the effective parameters it reads (:class:`ObservableGradient`); with the engine's
state sensitivities the chain rule gives observable sensitivities
(:mod:`skinremodel.engine.sensitivities`).

:data:`OBSERVABLES` holds the model's observables and, after them, those of the clinical scales
(:mod:`.clinical_scales`: the expected grade of each ordinal scale and each score), each a
function of the model observable the scale reads, through its function and partials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .. import _core
from .clinical_scales import ORDINAL_SCALES, SCALES, ClinicalScale, cut_points, logistic

__all__ = [
    "STATE_NAMES",
    "Observable",
    "ObservableGradient",
    "OBSERVABLES",
    "ObservableContext",
    "latent_observable",
    "spread_observable",
]

#: Names of the 15 model states, in engine order.
STATE_NAMES: tuple[str, ...] = tuple(_core.state_names())
_I = {name: i for i, name in enumerate(STATE_NAMES)}
_PARAM_INDEX = {name: i for i, name in enumerate(_core.parameter_names())}

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ObservableContext:
    """What an observable needs besides the states: baseline and effective parameters.

    For one patient ``baseline`` has shape (15,) and ``effective`` (P,); for a batch of patients
    they carry leading axes that broadcast against the states, e.g. (n, 1, 15) and (n, 1, P) for
    states shaped (n, days, 15). Observables are written elementwise on the last axis, so a
    patient's values are bitwise the same alone or in a batch.
    """

    baseline: Array
    effective: Array

    def p(self, name: str) -> float | Array:
        """Effective (patient-specific) value of a parameter (an array for a batch)."""
        if self.effective.ndim == 1:
            return float(self.effective[_PARAM_INDEX[name]])
        return self.effective[..., _PARAM_INDEX[name]]

    def base(self, name: str) -> float | Array:
        """Baseline value of a state (an array for a batch)."""
        if self.baseline.ndim == 1:
            return float(self.baseline[_I[name]])
        return self.baseline[..., _I[name]]


@dataclass(frozen=True)
class ObservableGradient:
    """Partial derivatives of an observable at n points.

    Attributes
    ----------
    states : numpy.ndarray
        d(observable)/d(state), shape (n, 15).
    baseline : numpy.ndarray or None
        d(observable)/d(baseline state), shape (n, 15); None if the baseline is not used.
    params : dict of str to numpy.ndarray
        d(observable)/d(effective parameter), shape (n,), for each parameter it reads.
    """

    states: Array
    baseline: Array | None = None
    params: dict[str, Array] = field(default_factory=dict)


@dataclass(frozen=True)
class Observable:
    """A named function of the states, with its unit, meaning and partial derivatives."""

    name: str
    unit: str
    description: str
    function: Callable[[Array, ObservableContext], Array]
    gradient: Callable[[Array, ObservableContext], ObservableGradient]

    def __call__(self, states: Array, ctx: ObservableContext) -> Array:
        """Evaluate on states shaped (n, 15) (or (15,)), or (items, n, 15) for a batch."""
        return self.function(np.atleast_2d(states), ctx)

    def partials(self, states: Array, ctx: ObservableContext) -> ObservableGradient:
        """Partial derivatives at states shaped (n, 15) (or (15,))."""
        return self.gradient(np.atleast_2d(states), ctx)


def _col(y: Array, name: str) -> Array:
    return y[..., _I[name]]


def _total(y: Array, ctx: ObservableContext) -> Array:
    return _col(y, "C3") + _col(y, "C1") + _col(y, "Cf") + _col(y, "Cm")


def _fibres(y: Array) -> Array:
    # Fibrillar collagen, cross-linked or not (Cf + Cm): what a collagen stain sees as fibres.
    return _col(y, "Cf") + _col(y, "Cm")


def _immature(y: Array) -> Array:
    # Collagen not yet cross-linked: newly deposited (C3, C1) and fibrillar (Cf).
    return _col(y, "C3") + _col(y, "C1") + _col(y, "Cf")


def _collagen_I(y: Array, ctx: ObservableContext) -> Array:
    s = ctx.p("I_share_m")
    return (_col(y, "C1") + s * _fibres(y)) / (ctx.base("C1") + s * _fibres(ctx.baseline))


def _collagen_III(y: Array, ctx: ObservableContext) -> Array:
    s = 1.0 - ctx.p("I_share_m")
    return (_col(y, "C3") + s * _fibres(y)) / (ctx.base("C3") + s * _fibres(ctx.baseline))


def _elastin(y: Array, ctx: ObservableContext) -> Array:
    return (_col(y, "E") + _col(y, "Et")) / (ctx.base("E") + ctx.base("Et"))


def _ultrasound(y: Array, ctx: ObservableContext) -> Array:
    oedema = _col(y, "N") + _col(y, "M1") + _col(y, "M2")
    return 1.0 + ctx.p("kap_US") * (_total(y, ctx) - 1.0) - ctx.p("kap_oed") * oedema


def _elasticity(y: Array, ctx: ObservableContext) -> Array:
    d_cm = _col(y, "Cm") - ctx.base("Cm")
    d_e = _col(y, "E") - ctx.base("E")
    return 1.0 + ctx.p("kap_el") * (d_cm + 2.0 * d_e)


#: The visible improvement G = g_scale * (Cm + g_imm C3 + g_imm C1 + g_imm Cf + g_E E) - (the same
#: at the baseline), as the core defines it (``model/visible_improvement.hpp``, which its
#: threshold event reads too): the scale parameter and the (state, factor parameter or None)
#: terms, summed in this order.
_G_SCALE, _G_TERMS = _core.visible_improvement()
#: The terms grouped by their factor, in the order the factors first appear.
_G_GROUPS: dict[str | None, list[str]] = {}
for _state, _factor in _G_TERMS:
    _G_GROUPS.setdefault(_factor, []).append(_state)


def _visible_terms(y: Array, ctx: ObservableContext) -> Array:
    # g_scale times the terms summed in the core's order (not as a dot product), so that one
    # patient, a batch of patients and the core's threshold round alike.
    total: Array | float = 0.0
    for k, (state, factor) in enumerate(_G_TERMS):
        term = _col(y, state) if factor is None else ctx.p(factor) * _col(y, state)
        total = term if k == 0 else total + term
    return np.asarray(ctx.p(_G_SCALE) * total)


def visible_improvement_weights(ctx: ObservableContext) -> tuple[Array, float | Array]:
    """Weights w (shape (15,), or (..., 15) for a batch) and offset c with G = w . y - c."""
    scale = ctx.p(_G_SCALE)
    w = np.zeros(ctx.effective.shape[:-1] + (len(STATE_NAMES),))
    for state, factor in _G_TERMS:
        w[..., _I[state]] += scale if factor is None else scale * ctx.p(factor)
    return w, _visible_terms(ctx.baseline, ctx)


def _oct(y: Array, ctx: ObservableContext) -> Array:
    return 1.0 + ctx.p("kap_oct") * (_col(y, "Cm") - ctx.base("Cm"))


def _visible(y: Array, ctx: ObservableContext) -> Array:
    return _visible_terms(y, ctx) - _visible_terms(ctx.baseline, ctx)


def _patient_rated(y: Array, ctx: ObservableContext) -> Array:
    # Emax form 100 G / (G + G_s): half the scale at G = G_s, saturating only slowly, as patient
    # ratings in controlled trials do (docs/model.md, patient-rated improvement).
    g = np.maximum(_visible(y, ctx), 0.0)
    return 100.0 * g / (g + ctx.p("G_s"))


def _tropoelastin(y: Array, ctx: ObservableContext) -> Array:
    return _col(y, "Et") / ctx.base("Et")


# ---------------------------------------------------------------------------- partial derivatives
def _unit_rows(y: Array, weights: dict[str, float | Array]) -> Array:
    """(n, 15) array with the given weights in the named state columns."""
    g = np.zeros_like(y, dtype=np.float64)
    for name, w in weights.items():
        g[:, _I[name]] = w
    return g


def _d_total(y: Array, ctx: ObservableContext) -> ObservableGradient:
    return ObservableGradient(_unit_rows(y, {"C3": 1.0, "C1": 1.0, "Cf": 1.0, "Cm": 1.0}))


def _d_mature(y: Array, ctx: ObservableContext) -> ObservableGradient:
    return ObservableGradient(_unit_rows(y, {"Cm": 1.0}))


def _d_new(y: Array, ctx: ObservableContext) -> ObservableGradient:
    return ObservableGradient(_unit_rows(y, {"C3": 1.0, "C1": 1.0}))


def _d_stain(y: Array, ctx: ObservableContext, own: str, type_i: bool) -> ObservableGradient:
    # (own + s (Cf + Cm)) / (b_own + s (b_Cf + b_Cm)), s = I_share_m (type I) or 1 - I_share_m.
    s = ctx.p("I_share_m") if type_i else 1.0 - ctx.p("I_share_m")
    b = ctx.baseline
    b_fibres = b[_I["Cf"]] + b[_I["Cm"]]
    denominator = b[_I[own]] + s * b_fibres
    value = (_col(y, own) + s * _fibres(y)) / denominator
    ds = (_fibres(y) - value * b_fibres) / denominator  # d/ds
    fibre_weight, fibre_base = s / denominator, -value * s / denominator
    return ObservableGradient(
        _unit_rows(y, {own: 1.0 / denominator, "Cf": fibre_weight, "Cm": fibre_weight}),
        _unit_rows(y, {own: -value / denominator, "Cf": fibre_base, "Cm": fibre_base}),
        {"I_share_m": ds if type_i else -ds},
    )


def _d_maturity(y: Array, ctx: ObservableContext) -> ObservableGradient:
    c = _total(y, ctx)
    cm = _col(y, "Cm")
    other = -cm / c**2
    return ObservableGradient(
        _unit_rows(y, {"C3": other, "C1": other, "Cf": other, "Cm": 1.0 / c - cm / c**2})
    )


def _d_tropoelastin(y: Array, ctx: ObservableContext) -> ObservableGradient:
    b_et = ctx.baseline[_I["Et"]]
    return ObservableGradient(
        _unit_rows(y, {"Et": 1.0 / b_et}), _unit_rows(y, {"Et": -_col(y, "Et") / b_et**2})
    )


def _d_elastin(y: Array, ctx: ObservableContext) -> ObservableGradient:
    b = ctx.baseline
    denominator = b[_I["E"]] + b[_I["Et"]]
    value = _elastin(y, ctx)
    return ObservableGradient(
        _unit_rows(y, {"E": 1.0 / denominator, "Et": 1.0 / denominator}),
        _unit_rows(y, {"E": -value / denominator, "Et": -value / denominator}),
    )


def _d_ultrasound(y: Array, ctx: ObservableContext) -> ObservableGradient:
    k_us, k_oed = ctx.p("kap_US"), ctx.p("kap_oed")
    return ObservableGradient(
        _unit_rows(
            y,
            {
                "C3": k_us,
                "C1": k_us,
                "Cf": k_us,
                "Cm": k_us,
                "N": -k_oed,
                "M1": -k_oed,
                "M2": -k_oed,
            },
        ),
        None,
        {
            "kap_US": _total(y, ctx) - 1.0,
            "kap_oed": -(_col(y, "N") + _col(y, "M1") + _col(y, "M2")),
        },
    )


def _d_elasticity(y: Array, ctx: ObservableContext) -> ObservableGradient:
    k = ctx.p("kap_el")
    b = ctx.baseline
    return ObservableGradient(
        _unit_rows(y, {"Cm": k, "E": 2.0 * k}),
        _unit_rows(y, {"Cm": -k, "E": -2.0 * k}),
        {"kap_el": (_col(y, "Cm") - b[_I["Cm"]]) + 2.0 * (_col(y, "E") - b[_I["E"]])},
    )


def _d_erythema(y: Array, ctx: ObservableContext) -> ObservableGradient:
    return ObservableGradient(_unit_rows(y, {"R": 1.0}))


def _d_oct(y: Array, ctx: ObservableContext) -> ObservableGradient:
    k = ctx.p("kap_oct")
    return ObservableGradient(
        _unit_rows(y, {"Cm": k}),
        _unit_rows(y, {"Cm": -k}),
        {"kap_oct": _col(y, "Cm") - ctx.baseline[_I["Cm"]]},
    )


def _d_visible(y: Array, ctx: ObservableContext, scale: Array | float = 1.0) -> ObservableGradient:
    # G = w . (y - baseline) = g_scale sum_f f (sum of the states of factor f, less the same at
    # the baseline): linear in the states, the baseline, g_scale and each factor.
    w, _ = visible_improvement_weights(ctx)
    b = ctx.baseline
    g_scale = ctx.p(_G_SCALE)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), (y.shape[0],))
    changes: dict[str | None, Array] = {}
    for factor, states in _G_GROUPS.items():
        now, before = _col(y, states[0]), b[_I[states[0]]]
        for state in states[1:]:
            now, before = now + _col(y, state), before + b[_I[state]]
        changes[factor] = now - before
    params: dict[str, Array] = {}
    total: Array | float = 0.0
    for k, (factor, change) in enumerate(changes.items()):
        if factor is not None:
            params[factor] = scale * g_scale * change
        term = change if factor is None else ctx.p(factor) * change
        total = term if k == 0 else total + term
    params[_G_SCALE] = scale * total
    return ObservableGradient(scale[:, None] * w[None, :], -scale[:, None] * w[None, :], params)


def _d_patient_rated(y: Array, ctx: ObservableContext) -> ObservableGradient:
    # 100 G / (G + G_s) for G > 0, else 0: d/dG = 100 G_s / (G + G_s)^2, taken as 0 at G <= 0.
    g = _visible(y, ctx)
    g_s = ctx.p("G_s")
    positive = g > 0.0
    gp = np.maximum(g, 0.0)
    slope = np.where(positive, 100.0 * g_s / (gp + g_s) ** 2, 0.0)
    inner = _d_visible(y, ctx, scale=slope)
    params = dict(inner.params)
    params["G_s"] = -100.0 * gp / (gp + g_s) ** 2
    return ObservableGradient(inner.states, inner.baseline, params)


_MODEL_OBSERVABLES: dict[str, Observable] = {
    o.name: o
    for o in (
        Observable("total_collagen", "x baseline", "C3 + C1 + Cf + Cm", _total, _d_total),
        Observable(
            "mature_collagen",
            "x baseline total collagen",
            "mature cross-linked collagen Cm",
            lambda y, c: _col(y, "Cm"),
            _d_mature,
        ),
        Observable(
            "fibrillar_collagen",
            "x baseline total collagen",
            "fibrillar collagen not yet cross-linked, Cf",
            lambda y, c: _col(y, "Cf"),
            lambda y, c: ObservableGradient(_unit_rows(y, {"Cf": 1.0})),
        ),
        Observable(
            "new_collagen",
            "x baseline total collagen",
            "newly deposited, immature collagen C3 + C1",
            lambda y, c: _col(y, "C3") + _col(y, "C1"),
            _d_new,
        ),
        Observable(
            "collagen_I",
            "x baseline",
            "type-I immunostaining, (C1 + s (Cf + Cm)) / baseline",
            _collagen_I,
            lambda y, c: _d_stain(y, c, "C1", True),
        ),
        Observable(
            "collagen_III",
            "x baseline",
            "type-III immunostaining, (C3 + (1 - s)(Cf + Cm)) / baseline",
            _collagen_III,
            lambda y, c: _d_stain(y, c, "C3", False),
        ),
        Observable(
            "maturity_index",
            "1",
            "crosslinked share of collagen, Cm / C",
            lambda y, c: _col(y, "Cm") / _total(y, c),
            _d_maturity,
        ),
        Observable(
            "tropoelastin",
            "x baseline",
            "soluble tropoelastin Et / Et_0",
            _tropoelastin,
            _d_tropoelastin,
        ),
        Observable(
            "elastin", "x baseline", "total elastin (E + Et) / baseline", _elastin, _d_elastin
        ),
        Observable(
            "ultrasound_density",
            "x baseline",
            "HFUS dermal density: 1 + kap_US (C - 1) - kap_oed (N + M1 + M2)",
            _ultrasound,
            _d_ultrasound,
        ),
        Observable(
            "elasticity",
            "x baseline",
            "Cutometer/BTC elasticity: 1 + kap_el (dCm + 2 dE)",
            _elasticity,
            _d_elasticity,
        ),
        Observable(
            "oct_attenuation",
            "x baseline",
            "OCT attenuation coefficient: 1 + kap_oct (Cm - Cm*) (cross-linked bundles scatter)",
            _oct,
            _d_oct,
        ),
        Observable(
            "erythema",
            "1",
            "redness R (visible above R_vis)",
            lambda y, c: _col(y, "R"),
            _d_erythema,
        ),
        Observable(
            "visible_improvement",
            "1",
            "structural gain G = g_scale (dCm + g_imm (dC3 + dC1 + dCf) + g_E dE)",
            _visible,
            lambda y, c: _d_visible(y, c),
        ),
        Observable(
            "patient_rated_improvement",
            "%",
            "100 G / (G + G_s), G clipped at 0",
            _patient_rated,
            _d_patient_rated,
        ),
    )
}


# ---------------------------------------------------------------- the clinical scales' observables
def _reading(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> Array:
    # The observable read, relative to its pre-treatment value (G is 0 there; elasticity is 1).
    x = _MODEL_OBSERVABLES[scale.reads].function(y, ctx)
    return x - 1.0 if scale.reads == "elasticity" else x


def _latent(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> Array:
    base, slope = (ctx.p(n) for n in scale.parameters[:2])
    return base - slope * _reading(scale, y, ctx)


def _expected_grade(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> Array:
    assert scale.grades is not None
    z = _latent(scale, y, ctx)
    s = ctx.p(scale.parameters[2])
    out = np.full(np.shape(z), float(scale.grades[0]))
    for c in cut_points(scale):
        out = out + logistic(-(c - z) / s)  # P(Y > k) = 1 - logistic((c_k - z)/s)
    return out


def _score(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> Array:
    base, slope = (ctx.p(n) for n in scale.parameters)
    return np.asarray(base * np.exp(-slope * _reading(scale, y, ctx)), dtype=np.float64)


def _compose(inner: ObservableGradient, outer: Array, own: dict[str, Array]) -> ObservableGradient:
    """Chain rule for h(X, q): outer = dh/dX at each point, own = dh/dq for the scale's q."""
    params = {name: outer * d for name, d in inner.params.items()}
    for name, d in own.items():
        params[name] = params.get(name, 0.0) + d
    return ObservableGradient(
        outer[:, None] * inner.states,
        None if inner.baseline is None else outer[:, None] * inner.baseline,
        params,
    )


def _d_latent(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> ObservableGradient:
    base, slope = scale.parameters[:2]
    x = _reading(scale, y, ctx)
    ones = np.ones(len(y))
    return _compose(
        _MODEL_OBSERVABLES[scale.reads].partials(y, ctx),
        -ctx.p(slope) * ones,
        {base: ones, slope: -x},
    )


def _d_expected_grade(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> ObservableGradient:
    # E = lo + sum_k F(-(c_k - z)/s); dE/dz = sum_k f_k / s, dE/ds = sum_k f_k (c_k - z)/s^2,
    # f_k = F_k (1 - F_k).
    z = _latent(scale, y, ctx)
    spread = scale.parameters[2]
    s = ctx.p(spread)
    de_dz = np.zeros(len(y))
    de_ds = np.zeros(len(y))
    for c in cut_points(scale):
        f = logistic(-(c - z) / s)
        density = f * (1.0 - f)
        de_dz += density / s
        de_ds += density * (c - z) / s**2
    inner = _d_latent(scale, y, ctx)
    return _compose(inner, de_dz, {spread: de_ds})


def _d_score(scale: ClinicalScale, y: Array, ctx: ObservableContext) -> ObservableGradient:
    base, slope = scale.parameters
    x = _reading(scale, y, ctx)
    value = _score(scale, y, ctx)
    return _compose(
        _MODEL_OBSERVABLES[scale.reads].partials(y, ctx),
        -ctx.p(slope) * value,
        {base: value / ctx.p(base), slope: -x * value},
    )


def _observable(scale: ClinicalScale) -> Observable:
    if scale.kind == "ordinal":
        assert scale.grades is not None
        return Observable(
            scale.name,
            "grade",
            f"{scale.title}: expected grade of an ordered logit on z = {scale.parameters[0]} - "
            f"{scale.parameters[1]} X ({scale.reads}), grades {scale.grades[0]}-"
            f"{scale.grades[1]}",
            lambda y, c: _expected_grade(scale, y, c),
            lambda y, c: _d_expected_grade(scale, y, c),
        )
    return Observable(
        scale.name,
        "score points",
        f"{scale.title}: {scale.parameters[0]} exp(-{scale.parameters[1]} G)",
        lambda y, c: _score(scale, y, c),
        lambda y, c: _d_score(scale, y, c),
    )


def latent_observable(name: str) -> Observable:
    """Return the latent severity z = base - slope X of an ordinal scale, as an Observable."""
    scale = ORDINAL_SCALES[name]
    return Observable(
        f"{name}#latent",
        "grade",
        f"latent severity of {scale.title}",
        lambda y, c: _latent(scale, y, c),
        lambda y, c: _d_latent(scale, y, c),
    )


def spread_observable(name: str) -> Observable:
    """Return the logistic scale s of an ordinal scale, as a (constant) Observable."""
    spread = ORDINAL_SCALES[name].parameters[2]

    def value(y: Array, ctx: ObservableContext) -> Array:
        return np.asarray(np.broadcast_to(ctx.p(spread), y.shape[:-1]), dtype=np.float64)

    def partials(y: Array, ctx: ObservableContext) -> ObservableGradient:
        return ObservableGradient(
            np.zeros_like(y, dtype=np.float64), None, {spread: np.ones(len(y))}
        )

    return Observable(f"{name}#spread", "grade", "logistic scale", value, partials)


#: Every observable by name: the model's above, then those of the clinical scales (the expected
#: grade of each ordinal scale, each score; the patient-rated improvement is the model's own).
OBSERVABLES: dict[str, Observable] = {
    **_MODEL_OBSERVABLES,
    **{s.name: _observable(s) for s in SCALES.values() if s.kind != "percent"},
}
