"""The result of :func:`skinremodel.fit`: estimates with uncertainty, diagnostics, predictions."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._files import read_text, write_atomic
from .._html import render
from .._validation import safe_exp
from ..engine.options import SolverOptions
from ..limits import check_nesting
from ..model.parameters import Parameters
from ..plotting import label_of, mark_sessions
from ..progress import logger, progress_bar
from .dataset import Dataset
from .identifiability import IdentifiabilityReport, identifiability_report
from .observation_model import ObservationModel
from .problem import Estimate, FitProblem, profile_likelihood

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["FitResult"]

Array = NDArray[np.float64]
_FORMAT = "skinremodel.FitResult"
_FORMAT_VERSION = 1
_Z95 = 1.959963984540054  # 0.975 quantile of the standard normal


class FitResult:
    """Estimates, their uncertainty and the fit's diagnostics.

    Attributes
    ----------
    names : list of str
        Estimated quantities: shared parameters (``"k_mat"``), per-subject ones (``"s_w[A]"``)
        and noise parameters (``"noise_cv[elasticity]"``).
    estimates : dict of str to float
        Maximum-likelihood estimates on the natural scale.
    table : pandas.DataFrame
        One row per estimated quantity: ``estimate``, ``se`` (from the Fisher information,
        delta method), ``ci_lower``/``ci_upper`` (95% Wald interval on the log scale),
        ``profile_lower``/``profile_upper`` (95% profile-likelihood interval where computed),
        ``initial``, ``lower``/``upper`` bounds, ``kind``, ``subject``, ``observable``.
    covariance : pandas.DataFrame
        Covariance of the log-estimates (inverse Fisher information).
    residuals : pandas.DataFrame
        Each observation with its ``prediction``, ``sd`` (the standard deviation used) and
        ``residual`` = (value - prediction) / sd.
    nll, aic, bic : float
        Negative log-likelihood (with constants) and the information criteria
        2k + 2 nll and k ln(n) + 2 nll (k estimated quantities, n observations).
    identifiability : IdentifiabilityReport
    runs : list of dict
        One entry per start of the multistart: start index, nll, optimiser status and message,
        evaluations.
    profiles : dict
        Profile likelihoods by name (grid ``values``, ``deviance``, interval ``lower``/``upper``).
    data : Dataset
    """

    def __init__(self, state: dict[str, Any], problem: FitProblem | None = None) -> None:
        self._state = state
        self._problem = problem
        self.data: Dataset = Dataset.from_dict(state["data"])
        self.entries = [Estimate(**e) for e in state["entries"]]
        self.names: list[str] = [e.name for e in self.entries]
        self.theta: Array = np.asarray(state["theta"], dtype=np.float64)
        self.estimates: dict[str, float] = {
            n: safe_exp(t) for n, t in zip(self.names, self.theta, strict=True)
        }
        self.covariance = pd.DataFrame(
            np.asarray(state["covariance"], dtype=np.float64), index=self.names, columns=self.names
        )
        self.nll: float = state["nll"]
        self.aic: float = state["aic"]
        self.bic: float = state["bic"]
        self.runs: list[dict[str, Any]] = state["runs"]
        self.profiles: dict[str, dict[str, Any]] = state["profiles"]
        self.identifiability = IdentifiabilityReport.from_dict(state["identifiability"])
        res = state["residuals"]
        self.residuals = self.data.observations.copy()
        self.residuals["prediction"] = np.asarray(res["prediction"], dtype=np.float64)
        self.residuals["sd"] = np.asarray(res["sd"], dtype=np.float64)
        self.residuals["residual"] = (
            self.residuals["value"] - self.residuals["prediction"]
        ) / self.residuals["sd"]
        self.table = self._table()

    # ---------------------------------------------------------------------------- building
    @classmethod
    def from_problem(
        cls,
        problem: FitProblem,
        theta: Array,
        runs: list[dict[str, Any]],
        profile: Sequence[str] = (),
        progress: bool | None = None,
    ) -> FitResult:
        """Compute uncertainty and diagnostics at the estimate theta.

        ``progress`` shows a bar over the profiles (default: in a terminal or notebook).
        """
        nll = problem.negative_log_likelihood(theta)
        covariance = _covariance(problem.fisher_information(theta))
        se_log = np.sqrt(np.diag(covariance))
        ev = problem.evaluate(theta)
        k, n = len(problem.entries), len(problem.data)
        report = identifiability_report(
            problem.scaled_sensitivity(theta),
            problem.model_names,
            covariance,
            problem.names,
            _Z95 * se_log,
        )
        state = {
            "format": _FORMAT,
            "format_version": _FORMAT_VERSION,
            "data": problem.data.to_dict(),
            "spec": _spec(problem),
            "entries": [e.to_dict() for e in problem.entries],
            "theta": [float(t) for t in theta],
            "covariance": covariance.tolist(),
            "nll": nll,
            "aic": 2.0 * k + 2.0 * nll,
            "bic": k * math.log(n) + 2.0 * nll,
            "runs": [
                {
                    key: ([float(v) for v in value] if key == "theta" else value)
                    for key, value in r.items()
                }
                for r in runs
            ],
            "profiles": {},
            "identifiability": report.to_dict(),
            "residuals": {
                "prediction": [float(v) for v in ev.f],
                "sd": [float(v) for v in ev.sigma],
            },
        }
        result = cls(state, problem)
        with progress_bar(
            len(profile), "fit: profiles", "profile", progress if profile else False
        ) as bar:
            for name in profile:
                bar.set_postfix_str(name)
                result.profile_likelihood(name)
                logger.info(
                    "profile of %s: 95%% interval [%.6g, %.6g]",
                    name,
                    result.profiles[name]["lower"],
                    result.profiles[name]["upper"],
                )
                bar.update(1)
        return result

    @property
    def options(self) -> SolverOptions:
        """The integrator's settings of the fit (kept in its file)."""
        return _options_of(self._state["spec"])

    @property
    def problem(self) -> FitProblem:
        """The likelihood (rebuilt from the saved specification after :meth:`load`)."""
        if self._problem is None:
            spec = self._state["spec"]
            entries = self.entries
            self._problem = FitProblem(
                self.data,
                spec["parameters"],
                spec["per_subject"],
                {o: ObservationModel(**m) for o, m in spec["observation_models"].items()},
                Parameters(spec["base_params"]),
                {e.name: e.initial for e in entries},
                {e.name: (e.lower, e.upper) for e in entries},
                _options_of(spec),
            )
        return self._problem

    def _table(self) -> pd.DataFrame:
        se_log = np.sqrt(np.diag(self.covariance.to_numpy()))
        rows = []
        for e, t, s in zip(self.entries, self.theta, se_log, strict=True):
            prof = self.profiles.get(e.name, {})
            rows.append(
                {
                    "name": e.name,
                    "estimate": safe_exp(t),
                    "se": safe_exp(t) * s,
                    "ci_lower": safe_exp(t - _Z95 * s),
                    "ci_upper": safe_exp(t + _Z95 * s) if np.isfinite(s) else math.inf,
                    "profile_lower": prof.get("lower", math.nan),
                    "profile_upper": prof.get("upper", math.nan),
                    "initial": e.initial,
                    "lower": e.lower,
                    "upper": e.upper,
                    "kind": e.kind,
                    "subject": e.subject,
                    "observable": e.observable,
                }
            )
        return pd.DataFrame(rows).set_index("name")

    # ----------------------------------------------------------------------------- analysis
    @property
    def n_observations(self) -> int:
        """Number of observations fitted."""
        return len(self.data)

    def params_for(self, subject: str) -> Parameters:
        """Return the nominal parameters of a subject at the estimates (for ``sr.simulate``)."""
        if subject not in self.data.subjects:
            raise KeyError(
                f"unknown subject {subject!r}; subjects: {', '.join(self.data.subjects)}"
            )
        return self.problem.params_for(subject, self.theta)

    def profile_likelihood(self, name: str) -> dict[str, Any]:
        """Compute (and keep) the 95% profile-likelihood interval of an estimated quantity."""
        if name not in self.names:
            raise ValueError(f"{name!r} is not estimated; estimated: {', '.join(self.names)}")
        i = self.names.index(name)
        se = float(np.sqrt(self.covariance.to_numpy()[i, i]))
        prof = profile_likelihood(self.problem, self.theta, i, se, self.nll)
        self.profiles[name] = prof
        self._state["profiles"][name] = prof
        self.table = self._table()
        return prof

    def predict(
        self,
        subject: str | None = None,
        observable: str | None = None,
        days: Sequence[float] | None = None,
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Predicted trajectories with a pointwise confidence band.

        The band comes from the covariance of the estimates by the delta method (the
        uncertainty of the curve, not the scatter of new measurements). On a session day the
        value right before the session is given, as for the data.

        Parameters
        ----------
        subject : str, optional
            Default: every subject.
        observable : str, optional
            Default: every observable in the data.
        days : sequence of float, optional
            Default: every day from 0 to the subject's last observation.
        level : float
            Confidence level of the band, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            Columns subject, observable, day, prediction, lower, upper.
        """
        from scipy.stats import norm

        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        z = float(norm.ppf(0.5 + level / 2))
        subjects = self.data.subjects if subject is None else [subject]
        observables = self.data.observable_names if observable is None else [observable]
        problem = self.problem
        cov = self.covariance.to_numpy()
        frames = []
        for s in subjects:
            if s not in self.data.subjects:
                raise KeyError(f"unknown subject {s!r}; subjects: {', '.join(self.data.subjects)}")
            last = float(self.data.for_subject(s)["day"].max())
            grid = (
                np.arange(0.0, math.floor(last) + 1.0)
                if days is None
                else np.asarray(days, dtype=np.float64)
            )
            columns = [
                i
                for i, e in enumerate(self.entries)
                if e.kind == "shared" or (e.kind == "subject" and e.subject == s)
            ]
            block = cov[np.ix_(columns, columns)]
            for o in observables:
                f, g = problem.predict_subject(
                    s, self.theta, grid, np.array([o] * len(grid)), columns
                )
                half = z * np.sqrt(np.einsum("ij,jk,ik->i", g, block, g))
                frames.append(
                    pd.DataFrame(
                        {
                            "subject": s,
                            "observable": o,
                            "day": grid,
                            "prediction": f,
                            "lower": f - half,
                            "upper": f + half,
                        }
                    )
                )
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------------------------ display
    def summary(self) -> str:
        """Plain-text summary: fit statistics, estimates, identifiability."""
        t = self.table
        lines = [
            f"Fit of {len(self.names)} quantities to {self.n_observations} observations of "
            f"{len(self.data.subjects)} subject(s): nll {self.nll:.4g}, AIC {self.aic:.4g}, "
            f"BIC {self.bic:.4g}"
        ]
        for name, row in t.iterrows():
            prof = (
                f", profile [{row.profile_lower:.4g}, {row.profile_upper:.4g}]"
                if np.isfinite(row.profile_lower)
                else ""
            )
            lines.append(
                f"  {name}: {row.estimate:.4g} (se {row.se:.2g}; 95% CI "
                f"[{row.ci_lower:.4g}, {row.ci_upper:.4g}]{prof})"
            )
        if self.n_observations <= len(self.names):
            lines.append(
                f"{self.n_observations} observations for {len(self.names)} estimated "
                "quantities: no degree of freedom is left to check the fit"
            )
        lines.append(self.identifiability.summary())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<FitResult: {len(self.names)} estimated, {self.n_observations} observations, "
            f"nll {self.nll:.4g}>"
        )

    def _repr_html_(self) -> str:
        def interval(lo: float, hi: float) -> str:
            return f"[{lo:.4g}, {hi:.4g}]" if np.isfinite(lo) else ""

        rows = [
            (
                str(n),
                f"{r.estimate:.4g}",
                f"{r.se:.2g}",
                interval(r.ci_lower, r.ci_upper),
                interval(r.profile_lower, r.profile_upper),
            )
            for n, r in self.table.iterrows()
        ]
        return render(
            "repr/fit_result.html.j2",
            n_estimated=len(self.names),
            n_observations=self.n_observations,
            n_subjects=len(self.data.subjects),
            nll=f"{self.nll:.5g}",
            aic=f"{self.aic:.5g}",
            bic=f"{self.bic:.5g}",
            rows=rows,
            lines=self.identifiability.summary().splitlines(),
        )

    def plot(
        self,
        subjects: Sequence[str] | None = None,
        observables: Sequence[str] | None = None,
        *,
        max_subjects: int = 6,
        level: float = 0.95,
    ) -> Figure:
        """Plot data, predictions and confidence bands: a panel per subject and observable."""
        import matplotlib.pyplot as plt

        subjects = list(self.data.subjects[:max_subjects] if subjects is None else subjects)
        observables = list(self.data.observable_names if observables is None else observables)
        fig, axes = plt.subplots(
            len(subjects),
            len(observables),
            squeeze=False,
            figsize=(4.2 * len(observables), 2.8 * len(subjects)),
        )
        pred = (
            self.predict(level=level)
            if subjects == list(self.data.subjects)
            else pd.concat([self.predict(s, level=level) for s in subjects])
        )
        res = self.residuals
        for i, s in enumerate(subjects):
            for j, o in enumerate(observables):
                ax = axes[i][j]
                p = pred[(pred.subject == s) & (pred.observable == o)]
                d = res[(res.subject == s) & (res.observable == o)]
                ax.fill_between(p.day, p.lower, p.upper, alpha=0.3, lw=0, label=f"{level:.0%} band")
                ax.plot(p.day, p.prediction, lw=1.2, label="fit")
                ax.errorbar(
                    d.day, d.value, yerr=d.sd, fmt="o", ms=4, capsize=2, color="k", label="data"
                )
                mark_sessions(ax, self.data.plans[s].days, label=None)
                ax.set_title(f"subject {s}: {label_of(o, unit=False)}", fontsize=9)
                ax.set_xlabel("day")
                ax.set_ylabel(label_of(o), fontsize=8)
        axes[0][0].legend(frameon=False, fontsize=8)
        fig.tight_layout()
        return fig

    # ---------------------------------------------------------------------------- save/load
    def to_dict(self) -> dict[str, Any]:
        """Everything :meth:`save` writes, as plain Python data (a deep copy)."""
        result: dict[str, Any] = _decode(json.loads(json.dumps(_encode(self._state))))
        return result

    def save(self, path: str | Path) -> None:
        """Write the result as JSON; :meth:`load` restores it exactly.

        Floats are written with their shortest exact representation, non-finite values as
        tagged strings (standard JSON).
        """
        # Encoded in full before the file is opened: an error leaves no file (or the old one).
        write_atomic(path, json.dumps(_encode(self._state), indent=1, allow_nan=False))

    @classmethod
    def load(cls, path: str | Path) -> FitResult:
        """Read a result written by :meth:`save`.

        Raises
        ------
        ValueError
            The file is not valid JSON, not a saved fit, lacks an entry (named) or holds a
            malformed one; the message names the file.
        """
        text = read_text(path)
        check_nesting(f"{path}: ", text)
        try:
            state = _decode(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a saved skinremodel FitResult")
        if state.get("format_version") != _FORMAT_VERSION:
            raise ValueError(
                f"{path}: format version {state.get('format_version')} is not "
                f"supported (this version reads {_FORMAT_VERSION})"
            )
        missing = [k for k in _STATE_KEYS if k not in state]
        if missing:
            raise ValueError(f"{path}: saved fit lacks the entry {missing[0]!r}")
        try:
            return cls(state)
        except KeyError as exc:
            raise ValueError(f"{path}: saved fit lacks the entry {exc.args[0]!r}") from None
        except (TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValueError(f"{path}: malformed saved fit: {exc}") from None


def _covariance(fisher: Array) -> Array:
    """Inverse of the Fisher information; directions it does not inform get infinite variance."""
    w, v = np.linalg.eigh(0.5 * (fisher + fisher.T))
    tol = 1e-12 * max(float(w.max()), 0.0) if len(w) else 0.0
    informed = w > tol
    cov = (v[:, informed] / w[informed]) @ v[:, informed].T
    if (~informed).any():
        blind = np.abs(v[:, ~informed]).max(axis=1) > 1e-6
        cov[blind, :] = np.where(np.eye(len(w), dtype=bool)[blind], np.inf, np.nan)
        cov[:, blind] = cov[blind, :].T
    return np.asarray(cov)


def _spec(problem: FitProblem) -> dict[str, Any]:
    return {
        "parameters": list(problem.parameters),
        "per_subject": list(problem.per_subject),
        "observation_models": {o: m.to_dict() for o, m in problem.observation_models.items()},
        "base_params": {n: float(v) for n, v in problem.base.items()},
        "options": problem.options.to_dict(),
    }


def _options_of(spec: dict[str, Any]) -> SolverOptions:
    """Return the integrator settings of a saved fit (older files kept rtol, atol, method)."""
    if "options" in spec:
        return SolverOptions(**spec["options"])
    return SolverOptions(method=spec["method"], rtol=spec["rtol"], atol=spec["atol"])


_STATE_KEYS = (
    "data",
    "spec",
    "entries",
    "theta",
    "covariance",
    "nll",
    "aic",
    "bic",
    "runs",
    "profiles",
    "identifiability",
    "residuals",
)
_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _encode(x: Any) -> Any:
    """JSON-ready copy: numpy scalars to Python, non-finite floats to {"float": "inf"}."""
    if isinstance(x, dict):
        return {str(k): _encode(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_encode(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_encode(v) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if math.isfinite(v) else {"float": repr(v)}
    if isinstance(x, dt.date):  # a patient's history; the readers accept ISO strings
        return x.isoformat()
    return x


def _decode(x: Any) -> Any:
    if isinstance(x, dict):
        if set(x) == {"float"} and x["float"] in _NONFINITE:
            return _NONFINITE[x["float"]]
        return {k: _decode(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_decode(v) for v in x]
    return x
