"""Identifiability of fitted parameters from the scaled sensitivity matrix and the covariance.

The scaled sensitivity matrix has one row per observation and one column per estimated model
parameter: d(prediction)/d(log parameter) divided by the observation's standard deviation, i.e.
the change of the weighted residual for a 100% change of the parameter. Its singular values
say how many parameter combinations the data determine; a (near-)zero singular value has a
right singular vector naming a combination the data cannot see. Pairs of parameters whose
estimates are correlated near +/-1 cannot be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._html import render

__all__ = ["IdentifiabilityReport", "identifiability_report"]

#: Pairs with |correlation| above this are reported as not separately identifiable.
CORRELATION_LIMIT = 0.95
#: Singular values below this fraction of the largest are reported as near-null directions.
SINGULAR_LIMIT = 1e-3


@dataclass(frozen=True)
class IdentifiabilityReport:
    """What the data determine.

    Attributes
    ----------
    parameters : tuple of str
        Estimated model parameters (columns of the sensitivity matrix).
    singular_values : numpy.ndarray
        Of the scaled sensitivity matrix, largest first.
    condition_number : float
        Largest over smallest singular value (inf if the smallest is 0).
    null_directions : list of dict
        For each singular value below ``SINGULAR_LIMIT`` times the largest: the combination of
        log-parameters it leaves undetermined (weights of the right singular vector).
    correlated_pairs : list of tuple
        (parameter, parameter, correlation) with ``abs(correlation) > CORRELATION_LIMIT``.
    correlation : pandas.DataFrame
        Correlation matrix of all estimated quantities (model and noise parameters).
    poorly_determined : list of str
        Parameters whose 95% interval spans more than a factor of 10 either way.
    """

    parameters: tuple[str, ...]
    singular_values: NDArray[np.float64]
    condition_number: float
    null_directions: list[dict[str, float]] = field(default_factory=list)
    correlated_pairs: list[tuple[str, str, float]] = field(default_factory=list)
    correlation: pd.DataFrame = field(default_factory=pd.DataFrame)
    poorly_determined: list[str] = field(default_factory=list)

    @property
    def identifiable(self) -> bool:
        """True when no near-null direction, correlated pair or poorly determined parameter."""
        return not (self.null_directions or self.correlated_pairs or self.poorly_determined)

    def summary(self) -> str:
        """Describe the report in a few lines of plain text."""
        lines = [
            f"singular values of the scaled sensitivity matrix: "
            f"{', '.join(f'{v:.3g}' for v in self.singular_values)} "
            f"(condition number {self.condition_number:.3g})"
        ]
        for a, b, r in self.correlated_pairs:
            lines.append(f"{a} and {b} cannot be told apart (correlation {r:+.3f})")
        for d in self.null_directions:
            combo = " ".join(f"{w:+.2f} log {n}" for n, w in d.items())
            lines.append(f"the data do not determine {combo}")
        for p in self.poorly_determined:
            lines.append(f"{p} is poorly determined (95% interval wider than x10)")
        if self.identifiable:
            lines.append("every estimated parameter is identifiable from these data")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "parameters": list(self.parameters),
            "singular_values": [float(v) for v in self.singular_values],
            "condition_number": float(self.condition_number),
            "null_directions": [dict(d) for d in self.null_directions],
            "correlated_pairs": [[a, b, float(r)] for a, b, r in self.correlated_pairs],
            "correlation": {
                "names": list(self.correlation.index),
                "values": self.correlation.to_numpy().tolist(),
            },
            "poorly_determined": list(self.poorly_determined),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> IdentifiabilityReport:
        """Inverse of :meth:`to_dict`."""
        names = d["correlation"]["names"]
        return cls(
            parameters=tuple(d["parameters"]),
            singular_values=np.asarray(d["singular_values"], dtype=np.float64),
            condition_number=float(d["condition_number"]),
            null_directions=[dict(x) for x in d["null_directions"]],
            correlated_pairs=[(a, b, float(r)) for a, b, r in d["correlated_pairs"]],
            correlation=pd.DataFrame(
                np.asarray(d["correlation"]["values"], dtype=np.float64).reshape(
                    len(names), len(names)
                ),
                index=names,
                columns=names,
            ),
            poorly_determined=list(d["poorly_determined"]),
        )

    def _repr_html_(self) -> str:
        return render("repr/identifiability.html.j2", lines=self.summary().splitlines())


def identifiability_report(
    scaled_sensitivity: NDArray[np.float64],
    model_names: list[str],
    covariance: NDArray[np.float64],
    all_names: list[str],
    log_halfwidth: NDArray[np.float64],
) -> IdentifiabilityReport:
    """Build the report.

    Parameters
    ----------
    scaled_sensitivity : numpy.ndarray
        (observations, model parameters): d prediction / d log parameter / sd.
    model_names : list of str
        Names of its columns.
    covariance : numpy.ndarray
        Covariance of all estimated log-parameters (model then noise), in ``all_names`` order.
    log_halfwidth : numpy.ndarray
        Half-width of each 95% interval on the log scale (same order).
    """
    n_params = len(model_names)
    if scaled_sensitivity.size:
        # Fewer observations than parameters: the missing singular values are 0.
        _, sv, vt = np.linalg.svd(scaled_sensitivity, full_matrices=True)
        sv = np.concatenate([sv, np.zeros(n_params - len(sv))])
    else:
        sv, vt = np.zeros(n_params), np.eye(n_params)
    cond = float(sv[0] / sv[-1]) if len(sv) and sv[-1] > 0 else float("inf")
    nulls = []
    for k, value in enumerate(sv):
        if value < SINGULAR_LIMIT * sv[0] or value == 0.0:
            v = vt[k] / np.abs(vt[k]).max()
            nulls.append(
                {model_names[j]: float(v[j]) for j in np.argsort(-np.abs(v)) if abs(v[j]) > 0.1}
            )
    sd = np.sqrt(np.clip(np.diag(covariance), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = covariance / np.outer(sd, sd)
    corr = np.where(np.isfinite(corr), corr, np.nan)
    pairs = []
    for i in range(len(all_names)):
        for j in range(i + 1, len(all_names)):
            if abs(corr[i, j]) > CORRELATION_LIMIT:
                pairs.append((all_names[i], all_names[j], float(corr[i, j])))
    poor = [
        n
        for n, w in zip(all_names, log_halfwidth, strict=True)
        if not np.isfinite(w) or w > np.log(10.0)
    ]
    return IdentifiabilityReport(
        parameters=tuple(model_names),
        singular_values=np.asarray(sv, dtype=np.float64),
        condition_number=cond,
        null_directions=nulls,
        correlated_pairs=pairs,
        correlation=pd.DataFrame(corr, index=all_names, columns=all_names),
        poorly_determined=poor,
    )
