"""The maximum-likelihood problem of :func:`skinremodel.fit`: residuals, Jacobian, likelihood.

Parameters are estimated on the log scale, within their domains (``parameters.csv``), with
``scipy.optimize.least_squares`` given the exact Jacobian from the engine's forward
sensitivities (no finite differences). Noise parameters of the observation models are estimated
alongside. :class:`FitProblem` holds the problem, :func:`profile_likelihood` profiles it;
``fit.py`` runs the starts and ``fit_result.py`` reports. The method is described in
``docs/fitting.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from .._validation import check_real, safe_exp
from ..engine.options import SolverOptions
from ..engine.sensitivities import observable_sensitivity
from ..engine.simulate import simulate
from ..model.clinical_scales import ORDINAL_SCALES, grade_sd, ordinal_log_likelihood
from ..model.observables import OBSERVABLES, Observable, latent_observable, spread_observable
from ..model.parameters import Parameters
from ..progress import logger
from .dataset import Dataset
from .observation_model import ObservationModel

__all__ = ["FitProblem", "Estimate", "profile_likelihood", "CHI2_95"]

Array = NDArray[np.float64]
#: 2 x (drop of the log-likelihood) at the edge of a 95% profile-likelihood interval: the 0.95
#: quantile of chi-square with one degree of freedom.
CHI2_95 = 3.841458820694124


@dataclass(frozen=True)
class Estimate:
    """One estimated quantity.

    Attributes
    ----------
    name : str
        ``"k_mat"`` (shared), ``"s_w[A]"`` (subject A), ``"noise_cv[elasticity]"`` (noise).
    kind : {"shared", "subject", "noise"}
    parameter : str
        The model parameter, or ``"sd"``/``"cv"`` for a noise parameter.
    subject, observable : str or None
        The subject of a per-subject parameter, the observable of a noise parameter.
    lower, upper : float
        Bounds on the natural scale.
    initial : float
        Starting value.
    """

    name: str
    kind: str
    parameter: str
    subject: str | None
    observable: str | None
    lower: float
    upper: float
    initial: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return dict(self.__dict__)


@dataclass
class _Evaluation:
    f: Array  # predictions, one per observation
    df: Array  # d f / d theta (observations, entries)
    sigma: Array  # standard deviation of each observation
    dsigma: Array  # d sigma / d theta
    modelled: Array  # rows whose sigma comes from an observation model (bool)
    logp: Array  # log P(observed grade) of ordinal rows (0 elsewhere)
    dlogp: Array  # d logp / d theta
    fisher_ordinal: Array  # expected Fisher information of the ordinal rows


# Latent severity and logistic scale of an ordinal grade, requested from predict_subject under
# these suffixed names (they are not user-facing observables).
_LATENT, _SPREAD = "#latent", "#spread"


def _fit_observable(name: str) -> Observable | None:
    """Return the Observable behind an internal ``"<scale>#latent"``/``"#spread"`` name, or None."""
    if name.endswith(_LATENT):
        return latent_observable(name[: -len(_LATENT)])
    if name.endswith(_SPREAD):
        return spread_observable(name[: -len(_SPREAD)])
    return None


class FitProblem:
    """The likelihood of a dataset as a function of log-parameters theta.

    Built by :func:`fit`; kept by :class:`FitResult` so that predictions and profiles can be
    recomputed. ``entries`` lists the estimated quantities in the order of theta.
    """

    def __init__(
        self,
        data: Dataset,
        parameters: Sequence[str],
        per_subject: Sequence[str],
        observation_models: Mapping[str, ObservationModel],
        base: Parameters,
        initial: Mapping[str, float],
        bounds: Mapping[str, tuple[float, float]],
        options: SolverOptions,
    ) -> None:
        self.data = data
        self.base = base
        self.parameters = tuple(parameters)
        self.per_subject = tuple(per_subject)
        self.observation_models = dict(observation_models)
        self.options = options
        self.entries: list[Estimate] = []
        for name in self.parameters:
            self.entries.append(self._entry(name, "shared", name, None, None, initial, bounds))
        for subject in data.subjects:
            for name in self.per_subject:
                self.entries.append(
                    self._entry(
                        f"{name}[{subject}]", "subject", name, subject, None, initial, bounds
                    )
                )
        obs = data.observations
        ordinal_names = [o for o, m in self.observation_models.items() if m.kind == "ordinal"]
        self._ordinal = np.isin(obs["observable"].to_numpy(), ordinal_names)  # no sd (Dataset)
        modelled = ~data.has_sd & ~self._ordinal
        self._sd = (
            obs["sd"].to_numpy(dtype=np.float64) if "sd" in obs else np.full(len(obs), np.nan)
        )
        for o in data.observable_names:
            rows = modelled & (obs["observable"] == o).to_numpy()
            if not rows.any():
                continue
            model = self.observation_models[o]
            scale = float(np.abs(obs.loc[rows, "value"]).mean()) or 1.0
            for what in model.estimated:
                start = 0.1 if what == "cv" else 0.1 * scale
                self.entries.append(
                    self._entry(
                        f"noise_{what}[{o}]", "noise", what, None, o, initial, bounds, default=start
                    )
                )
        self.names = [e.name for e in self.entries]
        unknown = sorted(
            set(initial) - set(self.names) - set(self.parameters) - set(self.per_subject)
        )
        if unknown:
            raise ValueError(
                f"initial names unknown quantities {', '.join(map(repr, unknown))}; "
                f"estimated: {', '.join(self.names)}"
            )
        unknown = sorted(
            set(bounds) - set(self.names) - set(self.parameters) - set(self.per_subject)
        )
        if unknown:
            raise ValueError(
                f"bounds names unknown quantities {', '.join(map(repr, unknown))}; "
                f"estimated: {', '.join(self.names)}"
            )
        self.theta0 = np.log([e.initial for e in self.entries])
        self.lower = np.array([math.log(e.lower) if e.lower > 0 else -np.inf for e in self.entries])
        self.upper = np.array(
            [math.log(e.upper) if math.isfinite(e.upper) else np.inf for e in self.entries]
        )
        self._model_index = [i for i, e in enumerate(self.entries) if e.kind != "noise"]
        # A floor for modelled sigmas far below any plausible scatter keeps log(sigma) finite
        # when a proportional model predicts 0.
        self._sigma_floor = np.array(
            [
                1e-9 * (float(np.abs(obs.loc[obs["observable"] == o, "value"]).max()) or 1.0)
                for o in obs["observable"]
            ]
        )
        self._cache: tuple[bytes, _Evaluation] | None = None
        self._model_rows = np.flatnonzero(modelled)

    # ----------------------------------------------------------------------------- set-up
    def _entry(
        self,
        name: str,
        kind: str,
        parameter: str,
        subject: str | None,
        observable: str | None,
        initial: Mapping[str, float],
        bounds: Mapping[str, tuple[float, float]],
        default: float | None = None,
    ) -> Estimate:
        if kind == "noise":
            lo, hi = 0.0, math.inf
            start = default
        else:
            info = Parameters.info(parameter)
            lo, hi = info.lower, info.upper
            start = self.base[parameter]
        for key in (parameter, name):  # a subject's own entry overrides the parameter's
            if key in bounds:
                b = bounds[key]
                if not (isinstance(b, (tuple, list)) and len(b) == 2):
                    raise TypeError(f"bounds[{key!r}] must be a (lower, upper) pair")
                lo2 = check_real(f"bounds[{key!r}] lower", b[0], lo, hi)
                hi2 = (
                    math.inf
                    if b[1] == math.inf and hi == math.inf
                    else check_real(f"bounds[{key!r}] upper", b[1], lo, hi)
                )
                if not lo2 < hi2:
                    raise ValueError(f"bounds[{key!r}]: lower must be < upper, got {b}")
                lo, hi = lo2, hi2
        for key in (parameter, name):
            if key in initial:
                start = initial[key]
        start = check_real(f"initial value of {name}", start, 0, math.inf)
        if not start > 0:
            raise ValueError(
                f"{name} is estimated on the log scale and needs a positive starting value "
                f"(got {start:g}); give one with initial={{{name!r}: ...}}"
            )
        if not lo <= start <= hi:
            raise ValueError(
                f"initial value of {name} ({start:g}) lies outside its bounds [{lo:g}, {hi:g}]"
            )
        return Estimate(name, kind, parameter, subject, observable, lo, hi, float(start))

    # ------------------------------------------------------------------------ parameters
    def params_for(self, subject: str, theta: Array) -> Parameters:
        """Nominal parameters of one subject at theta."""
        values = {
            e.parameter: safe_exp(theta[i])
            for i, e in enumerate(self.entries)
            if e.kind == "shared" or (e.kind == "subject" and e.subject == subject)
        }
        return self.base.update(values) if values else self.base

    def _noise(self, theta: Array, observable: str) -> tuple[float, float, int | None, int | None]:
        model = self.observation_models[observable]
        a = b = 0.0
        ia = ib = None
        if model.kind != "proportional":
            a = model.sd if model.sd is not None else 0.0
        if model.kind != "additive":
            b = model.cv if model.cv is not None else 0.0
        for i, e in enumerate(self.entries):
            if e.kind == "noise" and e.observable == observable:
                if e.parameter == "sd":
                    a, ia = safe_exp(theta[i]), i
                else:
                    b, ib = safe_exp(theta[i]), i
        return a, b, ia, ib

    # ------------------------------------------------------------------------ evaluation
    def evaluate(self, theta: Array) -> _Evaluation:
        """Predictions, standard deviations and their derivatives at theta (cached)."""
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        obs = self.data.observations
        n, p = len(obs), len(self.entries)
        f, df = np.zeros(n), np.zeros((n, p))
        z, dz, spread, dspread = np.zeros(n), np.zeros((n, p)), np.ones(n), np.zeros((n, p))
        days_all = obs["day"].to_numpy()
        names_all = obs["observable"].to_numpy()
        for subject in self.data.subjects:
            rows = np.flatnonzero((obs["subject"] == subject).to_numpy())
            columns = [
                i
                for i in self._model_index
                if self.entries[i].kind == "shared" or self.entries[i].subject == subject
            ]
            cols = np.asarray(columns, dtype=np.intp)
            # Ordinal rows also need the latent severity and the logistic scale: one simulation.
            ordinal = rows[self._ordinal[rows]]
            days = np.concatenate([days_all[rows], days_all[ordinal], days_all[ordinal]])
            names = np.concatenate(
                [
                    names_all[rows],
                    np.array([f"{o}{_LATENT}" for o in names_all[ordinal]], dtype=object),
                    np.array([f"{o}{_SPREAD}" for o in names_all[ordinal]], dtype=object),
                ]
            )
            fs, dfs = self.predict_subject(subject, theta, days, names, columns)
            k, m = len(rows), len(ordinal)
            f[rows] = fs[:k]
            df[np.ix_(rows, cols)] = dfs[:k]
            z[ordinal], spread[ordinal] = fs[k : k + m], fs[k + m :]
            dz[np.ix_(ordinal, cols)] = dfs[k : k + m]
            dspread[np.ix_(ordinal, cols)] = dfs[k + m :]
        sigma = np.where(np.isfinite(self._sd), self._sd, 0.0)
        dsigma = np.zeros((n, p))
        for o in self.data.observable_names:
            rows = self._model_rows[(obs["observable"].to_numpy()[self._model_rows] == o)]
            if not len(rows):
                continue
            a, b, ia, ib = self._noise(theta, o)
            floor = self._sigma_floor[rows]
            s = np.sqrt(a * a + (b * f[rows]) ** 2 + floor**2)
            sigma[rows] = s
            dsigma[rows] = (b * b * f[rows] / s)[:, None] * df[rows]
            if ia is not None:
                dsigma[rows, ia] = a * a / s
            if ib is not None:
                dsigma[rows, ib] = (b * f[rows]) ** 2 / s
        modelled = np.zeros(n, dtype=bool)
        modelled[self._model_rows] = True
        logp, dlogp, fisher = np.zeros(n), np.zeros((n, p)), np.zeros((p, p))
        for o in dict.fromkeys(names_all[self._ordinal]):
            rows = np.flatnonzero(names_all == o)
            grades = ORDINAL_SCALES[o].grades
            assert grades is not None
            y = obs["value"].to_numpy(dtype=np.float64)[rows]
            logp[rows], dlogp[rows], part = ordinal_log_likelihood(
                y, z[rows], dz[rows], spread[rows], dspread[rows], grades
            )
            fisher += part
            sigma[rows] = grade_sd(z[rows], spread[rows], grades)  # for the residual table
        ev = _Evaluation(f, df, sigma, dsigma, modelled, logp, dlogp, fisher)
        self._cache = (key, ev)
        return ev

    def predict_subject(
        self, subject: str, theta: Array, days: Array, observables: Array, columns: Sequence[int]
    ) -> tuple[Array, Array]:
        """Predictions of (day, observable) pairs and d/d theta for the given entry columns.

        A prediction on a session day is the value right before that session.
        """
        plan = self.data.plans[subject]
        t_eval = np.unique(np.asarray(days, dtype=np.float64))
        if t_eval[-1] <= 0.0:
            t_eval = np.append(t_eval, 1.0)  # a horizon of 0 days cannot be simulated
        names = [self.entries[i].parameter for i in columns]
        res = simulate(
            plan,
            self.data.patients[subject],
            days=None,
            t_eval=t_eval,
            params=self.params_for(subject, theta),
            options=self.options,
            sensitivities=names or None,
        )
        sens = res.sensitivities
        session_of = {float(d): k for k, d in enumerate(res.session_days)}
        position = {float(d): i for i, d in enumerate(res.t)}
        values = np.exp(np.asarray([theta[i] for i in columns]))
        f = np.zeros(len(days))
        dfdlog = np.zeros((len(days), len(columns)))
        for o in dict.fromkeys(observables):
            rows = np.flatnonzero(np.asarray(observables) == o)
            at_session = np.array([float(days[r]) in session_of for r in rows])
            internal = _fit_observable(o)
            for before, pick in ((True, rows[at_session]), (False, rows[~at_session])):
                if not len(pick):
                    continue
                if internal is not None:
                    if before:
                        k = [session_of[float(days[r])] for r in pick]
                        states = res.pre_session[k]
                        s_states = None if sens is None else sens.pre_session[k]
                    else:
                        idx = [position[float(days[r])] for r in pick]
                        states = res.y[idx]
                        s_states = None if sens is None else sens.states[idx]
                    f[pick] = internal(states, res._ctx)
                    if sens is not None and s_states is not None:
                        dfdlog[pick] = (
                            observable_sensitivity(
                                internal, states, s_states, res._ctx, sens.baseline, sens.effective
                            )
                            * values
                        )
                elif before:
                    k = [session_of[float(days[r])] for r in pick]
                    states = res.pre_session[k]
                    f[pick] = (
                        OBSERVABLES[o](states, res._ctx)
                        if o in OBSERVABLES
                        else states[:, res.state_names.index(o)]
                    )
                    if sens is not None:
                        dfdlog[pick] = sens.at_sessions(o, "pre")[k] * values
                else:
                    idx = [position[float(days[r])] for r in pick]
                    f[pick] = res[o][idx]
                    if sens is not None:
                        dfdlog[pick] = sens[o][idx] * values
        return f, dfdlog

    def _rows_residuals(self, ev: _Evaluation) -> Array:
        # Gaussian rows: (y - f) / sigma; ordinal rows: sqrt(-2 log p), so that r^2 / 2 is the
        # row's negative log-likelihood either way (docs/fitting.md).
        y = self.data.observations["value"].to_numpy(dtype=np.float64)
        r = (y - ev.f) / ev.sigma
        return np.where(self._ordinal, np.sqrt(np.maximum(-2.0 * ev.logp, 0.0)), r)

    def residuals(self, theta: Array) -> Array:
        """Weighted residuals, then the terms that carry log(sigma) (see docs/fitting.md)."""
        ev = self.evaluate(theta)
        return np.concatenate([self._rows_residuals(ev), self._log_sigma_terms(ev)])

    def _log_sigma_terms(self, ev: _Evaluation) -> Array:
        # 0.5 s^2 = log(sigma / floor) + 1/2, so 0.5 |residuals|^2 is the negative
        # log-likelihood up to a constant; s >= 1 keeps the terms smooth.
        rows = self._model_rows
        return np.sqrt(2.0 * np.log(ev.sigma[rows] / self._sigma_floor[rows]) + 1.0)

    def jacobian(self, theta: Array) -> Array:
        """D residuals / d theta, from the sensitivities."""
        ev = self.evaluate(theta)
        r = self._rows_residuals(ev)
        jr = -(ev.df + r[:, None] * ev.dsigma) / ev.sigma[:, None]
        # d sqrt(-2 log p) = -d log p / r; r -> 0 only as p -> 1, where d log p -> 0 faster.
        jr[self._ordinal] = -ev.dlogp[self._ordinal] / np.maximum(r[self._ordinal], 1e-150)[:, None]
        rows = self._model_rows
        s = self._log_sigma_terms(ev)
        js = ev.dsigma[rows] / (ev.sigma[rows] * s)[:, None]
        return np.vstack([jr, js])

    def negative_log_likelihood(self, theta: Array) -> float:
        """-log L with all constants (Gaussian rows, plus -log p of ordinal grades)."""
        ev = self.evaluate(theta)
        y = self.data.observations["value"].to_numpy(dtype=np.float64)
        gauss = ~self._ordinal
        r = (y[gauss] - ev.f[gauss]) / ev.sigma[gauss]
        return float(
            0.5 * np.sum(r * r)
            + np.sum(np.log(ev.sigma[gauss]))
            + 0.5 * len(r) * math.log(2 * math.pi)
            - np.sum(ev.logp[self._ordinal])
        )

    def fisher_information(self, theta: Array) -> Array:
        """Return the expected Fisher information of theta.

        Gaussian rows: sum_i (grad f_i grad f_i^T + 2 grad sigma_i grad sigma_i^T) / sigma_i^2;
        ordinal rows: sum_i sum_k grad p_ik grad p_ik^T / p_ik over the grades k.
        """
        ev = self.evaluate(theta)
        gauss = ~self._ordinal
        a = ev.df[gauss] / ev.sigma[gauss, None]
        b = ev.dsigma[gauss] / ev.sigma[gauss, None]
        return np.asarray(a.T @ a + 2.0 * b.T @ b + ev.fisher_ordinal)

    def scaled_sensitivity(self, theta: Array) -> Array:
        """D prediction / d log model parameter / sigma: (observations, model parameters)."""
        ev = self.evaluate(theta)
        return np.asarray(ev.df[:, self._model_index] / ev.sigma[:, None])

    @property
    def model_names(self) -> list[str]:
        """Names of the estimated model parameters (not noise)."""
        return [self.names[i] for i in self._model_index]

    # ------------------------------------------------------------------------ optimisation
    def solve(self, theta_start: Array, fixed: int | None = None, **options: Any) -> Any:
        """least_squares from theta_start; with ``fixed``, that entry is held at its start."""
        free = np.array([i for i in range(len(self.entries)) if i != fixed], dtype=int)
        theta = np.array(theta_start, dtype=np.float64)

        def full(x: Array) -> Array:
            out = theta.copy()
            out[free] = x
            return out

        def residuals(x: Array) -> Array:
            return self.residuals(full(x))

        def jacobian(x: Array) -> Array:
            return self.jacobian(full(x))[:, free]

        x0 = np.clip(theta[free], self.lower[free], self.upper[free])
        return least_squares(
            residuals,
            x0,
            jac=jacobian,
            bounds=(self.lower[free], self.upper[free]),
            method="trf",
            x_scale=1.0,
            **options,
        ), full


def _names(what: str, names: Any) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise TypeError(f"{what} must be a list of names, got {names!r}")
    out = list(names)
    for n in out:
        if not isinstance(n, str):
            raise TypeError(f"{what}: every name must be a string, got {n!r}")
        if what != "profile":
            Parameters.info(n)  # unknown names raise ValueError with suggestions
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: a name is listed twice: {out}")
    return out


def profile_likelihood(
    problem: FitProblem,
    theta_hat: Array,
    index: int,
    se_log: float,
    nll_hat: float,
    max_steps: int = 12,
) -> dict[str, Any]:
    """Profile likelihood of one estimated quantity, re-optimising all others.

    Steps of about half a standard error (on the log scale, widening while the profile stays
    flat) go out on each side until twice the drop of the log-likelihood passes the chi-square
    95% point (3.84), a bound is reached or ``max_steps`` are taken; the interval ends are
    interpolated linearly between grid points. Returns the grid (natural scale), the deviance
    2 (nll - nll at the estimate) and the interval: an end is the bound (0 or inf when the bound
    is open) where the profile stays below 3.84, i.e. where the data do not bound the parameter.
    """
    first_step = 0.5 * se_log if np.isfinite(se_log) and se_log > 0 else 0.1
    first_step = float(np.clip(first_step, 0.01, 0.5))
    points = [(float(theta_hat[index]), 0.0)]
    ends = []
    for direction in (-1.0, 1.0):
        bound = float(problem.lower[index] if direction < 0 else problem.upper[index])
        theta = theta_hat.copy()
        step = first_step
        end = bound
        previous = (float(theta_hat[index]), 0.0)
        for _ in range(max_steps):
            value = previous[0] + direction * step
            if direction * (value - bound) > 0:
                value = bound
            if value == previous[0]:
                break
            theta[index] = value
            sol, full = problem.solve(theta, fixed=index, ftol=1e-10, xtol=1e-10, gtol=1e-10)
            theta = full(sol.x)
            drop = 2.0 * (problem.negative_log_likelihood(theta) - nll_hat)
            points.append((value, drop))
            logger.debug(
                "profile of %s: log value %.6g, deviance %.4g", problem.names[index], value, drop
            )
            if drop >= CHI2_95:
                w = (CHI2_95 - previous[1]) / (drop - previous[1])
                end = previous[0] + w * (value - previous[0])
                break
            previous = (value, drop)
            step = min(step * 1.5, 1.0)
        ends.append(end)
    points.sort()
    return {
        "values": [safe_exp(v) for v, _ in points],
        "deviance": [d for _, d in points],
        "lower": safe_exp(ends[0]),
        "upper": safe_exp(ends[1]),
    }
