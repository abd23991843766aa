"""Observation (noise) models: how measurements scatter around the model's prediction.

A measurement y of an observable with prediction f is modelled as y ~ Normal(f, sigma^2) with

- additive:      sigma = a              (a: standard deviation, in the observable's unit)
- proportional:  sigma = b |f|          (b: coefficient of variation)
- combined:      sigma = sqrt(a^2 + b^2 f^2)

Each noise parameter is either given (fixed) or estimated with the model parameters. Rows of
the data with a known ``sd`` use that value instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ._validation import check_choice, check_real

__all__ = ["ObservationModel", "resolve_observation_models"]

NoiseKind = Literal["additive", "proportional", "combined"]
KINDS: tuple[str, ...] = ("additive", "proportional", "combined")


@dataclass(frozen=True)
class ObservationModel:
    """The noise model of one observable.

    Parameters
    ----------
    kind : {"additive", "proportional", "combined"}
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
        for name, used in (("sd", self.kind != "proportional"), ("cv", self.kind != "additive")):
            value = getattr(self, name)
            if value is None:
                continue
            if not used:
                raise ValueError(f"a {self.kind} observation model has no {name}")
            object.__setattr__(self, name, check_real(f"observation model {name}", value, 0,
                                                      float("inf"), lo_closed=False))

    @property
    def estimated(self) -> tuple[str, ...]:
        """The noise parameters to estimate: ``"sd"`` and/or ``"cv"``."""
        out = []
        if self.kind != "proportional" and self.sd is None:
            out.append("sd")
        if self.kind != "additive" and self.cv is None:
            out.append("cv")
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"kind": self.kind, "sd": self.sd, "cv": self.cv}


def resolve_observation_models(spec: Any,
                               observables: tuple[str, ...]) -> dict[str, ObservationModel]:
    """One :class:`ObservationModel` per observable from the ``observation_model`` argument.

    ``spec`` may be None (proportional, estimated), a kind name, an ObservationModel, or a
    mapping from observable to either of those (observables not named get the default).
    """
    def one(x: Any, where: str) -> ObservationModel:
        if isinstance(x, ObservationModel):
            return x
        if isinstance(x, str):
            check_choice(where, x, KINDS)
            return ObservationModel(x)  # type: ignore[arg-type]
        raise TypeError(f"{where} must be an ObservationModel or one of "
                        f"{', '.join(map(repr, KINDS))}, got {x!r}")

    if spec is None:
        return {o: ObservationModel() for o in observables}
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if k not in observables]
        if unknown:
            raise ValueError(f"observation_model names observable(s) not in the data: "
                             f"{', '.join(map(repr, unknown))}; the data have "
                             f"{', '.join(observables)}")
        return {o: one(spec[o], f"observation_model[{o!r}]") if o in spec else ObservationModel()
                for o in observables}
    model = one(spec, "observation_model")
    return {o: model for o in observables}
