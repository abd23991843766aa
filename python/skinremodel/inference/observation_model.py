"""Observation (noise) models: how measurements scatter around the model's prediction.

A measurement y of an observable with prediction f is modelled as y ~ Normal(f, sigma^2) with

- additive:      sigma = a              (a: standard deviation, in the observable's unit)
- proportional:  sigma = b |f|          (b: coefficient of variation)
- combined:      sigma = sqrt(a^2 + b^2 f^2)

Each noise parameter is either given (fixed) or estimated with the model parameters. Rows of
the data with a known ``sd`` use that value instead.

Ordinal clinical grades (:data:`~skinremodel.model.clinical_scales.ORDINAL_SCALES`: Goodman-Baron
qualitative, Lemperle, Alexiades-Armenakas, GAIS) have the kind ``"ordinal"``: a cumulative-link
(ordered logit) likelihood whose parameters are model parameters of the scale, chosen by default
for them; Gaussian kinds are refused for them and ``"ordinal"`` for continuous observables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._validation import check_choice, check_real
from ..model.clinical_scales import ORDINAL_SCALES

__all__ = ["ObservationModel", "resolve_observation_models"]

NoiseKind = Literal["additive", "proportional", "combined", "ordinal"]
KINDS: tuple[str, ...] = ("additive", "proportional", "combined", "ordinal")
_SD_KINDS = ("additive", "combined")
_CV_KINDS = ("proportional", "combined")


@dataclass(frozen=True)
class ObservationModel:
    """The noise model of one observable.

    Parameters
    ----------
    kind : {"additive", "proportional", "combined", "ordinal"}
        ``"ordinal"``: cumulative-logit likelihood of an ordinal clinical grade (no sd or cv).
    sd : float, optional
        Additive standard deviation ``a`` (additive and combined models); None estimates it.
    cv : float, optional
        Proportional coefficient of variation ``b`` (proportional and combined models); None
        estimates it.

    Examples
    --------
    >>> import skinremodel as sr
    >>> sr.ObservationModel("proportional", cv=0.05)   # known 5% scatter
    ObservationModel(kind='proportional', sd=None, cv=0.05)
    >>> sr.ObservationModel("combined")                # both parts estimated
    ObservationModel(kind='combined', sd=None, cv=None)
    """

    kind: NoiseKind = "proportional"
    sd: float | None = None
    cv: float | None = None

    def __post_init__(self) -> None:
        check_choice("observation model kind", self.kind, KINDS)
        for name, used in (("sd", self.kind in _SD_KINDS), ("cv", self.kind in _CV_KINDS)):
            value = getattr(self, name)
            if value is None:
                continue
            if not used:
                raise ValueError(f"a {self.kind} observation model has no {name}")
            object.__setattr__(
                self,
                name,
                check_real(f"observation model {name}", value, 0, float("inf"), lo_closed=False),
            )

    @property
    def estimated(self) -> tuple[str, ...]:
        """The noise parameters to estimate: ``"sd"`` and/or ``"cv"``."""
        out = []
        if self.kind in _SD_KINDS and self.sd is None:
            out.append("sd")
        if self.kind in _CV_KINDS and self.cv is None:
            out.append("cv")
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"kind": self.kind, "sd": self.sd, "cv": self.cv}


def resolve_observation_models(
    spec: Any, observables: tuple[str, ...]
) -> dict[str, ObservationModel]:
    """One :class:`ObservationModel` per observable from the ``observation_model`` argument.

    ``spec`` may be None (``"ordinal"`` for ordinal clinical grades, proportional with the noise
    estimated otherwise), a kind name, an ObservationModel, or a mapping from observable to either
    of those (observables not named get the default).

    Raises
    ------
    ValueError
        ``"ordinal"`` for a continuous observable, or a Gaussian kind for an ordinal grade.
    """

    def one(x: Any, where: str) -> ObservationModel:
        if isinstance(x, ObservationModel):
            return x
        if isinstance(x, str):
            check_choice(where, x, KINDS)
            return ObservationModel(x)  # type: ignore[arg-type]
        raise TypeError(
            f"{where} must be an ObservationModel or one of "
            f"{', '.join(map(repr, KINDS))}, got {x!r}"
        )

    def default(o: str) -> ObservationModel:
        return ObservationModel("ordinal") if o in ORDINAL_SCALES else ObservationModel()

    if spec is None:
        out = {o: default(o) for o in observables}
    elif isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in observables]
        if unknown:
            raise ValueError(
                f"observation_model names observable(s) not in the data: "
                f"{', '.join(map(repr, unknown))}; the data have "
                f"{', '.join(observables)}"
            )
        out = {
            o: one(spec[o], f"observation_model[{o!r}]") if o in spec else default(o)
            for o in observables
        }
    else:
        model = one(spec, "observation_model")
        out = {o: model for o in observables}
    for o, m in out.items():
        if m.kind == "ordinal" and o not in ORDINAL_SCALES:
            raise ValueError(
                f"observation model 'ordinal' is for ordinal clinical grades "
                f"({', '.join(ORDINAL_SCALES)}); {o!r} is continuous: use 'additive', "
                f"'proportional' or 'combined' for it (a mapping gives each observable its own)"
            )
        if m.kind != "ordinal" and o in ORDINAL_SCALES:
            raise ValueError(
                f"{o!r} is an ordinal grade: it needs observation model 'ordinal' (a "
                f"cumulative-logit likelihood), not a Gaussian {m.kind!r} model on grade numbers"
            )
    return out
