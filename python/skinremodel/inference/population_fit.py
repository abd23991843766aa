"""Nonlinear mixed-effects fits of a cohort: :func:`fit_population`.

Method (``docs/inference.md``): the FOCE-I (Laplace) approximation of the marginal likelihood,
maximised by the Laplace-EM algorithm (the "iterative two-stage" scheme of ADAPT/S-ADAPT, here on
the FOCE-I conditional modes). Each iteration

1. **E-step**: for every subject, the conditional mode of its log-parameters
   phi_i = argmin nll_i(phi) + 1/2 (phi - m_i)' Omega^-1 (phi - m_i) (Gauss-Newton,
   ``least_squares`` with the engine's exact sensitivities), and the conditional covariance
   C_i = (F_i + Omega^-1)^-1 with F_i the expected Fisher information of the subject's data,
   interaction included (sigma depends on the prediction for proportional error);
2. **M-step**: typical values and covariate effects by regression of the modes, Omega as the
   mean of (mode - m_i)(mode - m_i)' + C_i, the residual-error parameters by minimising the
   expected negative log-likelihood (squared errors plus the trace term of C_i), and parameters
   without variability (``fixed``) by a profiled Gauss-Newton step.

Standard errors come from the expected Fisher information of the model linearised about the
conditional modes (the FOCE linearisation of PFIM/PopED), with exact sensitivities.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import least_squares, minimize

from .._core import SolverError
from .._html import render, table
from .._validation import check_choice, check_int, check_real
from ..engine.batch import simulate_many
from ..engine.options import DEFAULT_OPTIONS, SolverOptions, deprecated_options
from ..engine.solver import resolve_params
from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..plans.schedule import Schedule, as_schedule
from ..populations.bands import PredictionBands
from ._common import (
    ConvergenceWarning,
    NonIdentifiableWarning,
    SubjectProblem,
    as_dataset,
    as_generator,
    check_names,
    progress_bar,
)
from .dataset import Dataset
from .fit_result import _covariance
from .observation_model import resolve_observation_models
from .problem import FitProblem

__all__ = ["fit_population", "PopulationFit"]

Array = NDArray[np.float64]
_Z95 = 1.959963984540054
_DISTRIBUTIONS = ("lognormal",)


@dataclass
class _Subject:
    name: str
    problem: FitProblem
    r_idx: list[int]
    f_idx: list[int]
    noise: list[tuple[int, int]]  # (entry index in the problem, index in the noise vector)
    x: Array  # covariates (centred), one per covariate name
    phi: Array  # current conditional mode
    lower: Array
    upper: Array
    cond_cov: Array = field(default_factory=lambda: np.zeros((0, 0)))

    def theta(self, phi: Array, g_fixed: Array, g_noise: Array) -> Array:
        th = self.problem.theta0.copy()
        th[self.r_idx] = phi
        th[self.f_idx] = g_fixed
        for i, k in self.noise:
            th[i] = g_noise[k]
        return th


def _random_spec(random: Any) -> dict[str, str]:
    if isinstance(random, Mapping):
        out = {}
        for k, v in random.items():
            check_choice(f"random[{k!r}]", v, _DISTRIBUTIONS)
            out[str(k)] = str(v)
    else:
        out = {n: "lognormal" for n in check_names("random", random)}
    check_names("random", list(out))
    if not out:
        raise ValueError("random: name at least one parameter with between-subject variability")
    return out


def _covariate_matrix(
    data: Dataset,
    covariates: Mapping[str, Sequence[str]] | None,
    random: Sequence[str],
) -> tuple[list[tuple[str, str]], Array, dict[str, float]]:
    """Covariate effects (parameter, covariate), the centred design matrix and the centres."""
    effects: list[tuple[str, str]] = []
    for p, names in (covariates or {}).items():
        if p not in random:
            raise ValueError(
                f"covariates: {p!r} has no random effect; covariate effects are "
                f"on parameters named in random= ({', '.join(random)})"
            )
        if isinstance(names, str):
            names = [names]
        for c in names:
            if not hasattr(Patient(), c):
                raise ValueError(f"covariates: {c!r} is not a Patient field")
            effects.append((p, c))
    centres: dict[str, float] = {}
    columns = []
    for _, c in effects:
        values = []
        for s in data.subjects:
            v = getattr(data.patients[s], c)
            if isinstance(v, (bool, np.bool_)):
                v = float(v)
            if not isinstance(v, (int, float)):
                raise ValueError(f"covariates: {c!r} must be numeric or boolean, got {v!r}")
            values.append(float(v))
        arr = np.asarray(values)
        centres[c] = float(arr.mean())
        if np.ptp(arr) == 0:
            raise ValueError(
                f"covariates: {c!r} is the same for every subject; its effect cannot be estimated"
            )
        columns.append(arr - arr.mean())
    x = np.column_stack(columns) if columns else np.zeros((len(data.subjects), 0))
    return effects, x, centres


def fit_population(
    data: Dataset | pd.DataFrame,
    plans: Any = None,
    patients: Any = None,
    *,
    random: Mapping[str, str] | Sequence[str],
    fixed: Sequence[str] = (),
    covariates: Mapping[str, Sequence[str]] | None = None,
    covariance: str = "diagonal",
    observation_model: Any = None,
    params: Parameters | Mapping[str, float] | None = None,
    initial: Mapping[str, float] | None = None,
    omega_initial: float = 0.3,
    max_iter: int = 300,
    tol: float = 1e-4,
    options: SolverOptions | None = None,
    progress: bool | None = None,
    method: str | None = None,
    rtol: float | None = None,
) -> PopulationFit:
    """Fit a nonlinear mixed-effects model to a cohort (FOCE-I / Laplace, Laplace-EM).

    Each subject's log-parameter of a ``random`` parameter is
    ``log p_i = mu + beta' (x_i - mean x) + eta_i`` with ``eta_i ~ Normal(0, Omega)``
    (log-normal between-subject variability); ``fixed`` parameters are common to every subject;
    residual-error parameters come from the observation models. See ``docs/inference.md``.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame
        Observations (continuous and ordinal clinical grades); with a DataFrame give ``plans``
        (and ``patients``).
    plans, patients : optional
        As for :class:`~skinremodel.Dataset`.
    random : mapping or sequence of str
        Parameters with between-subject variability, ``{"s_w": "lognormal", ...}``.
    fixed : sequence of str
        Parameters estimated without variability (one value for the cohort).
    covariates : mapping, optional
        ``{"s_w": ["age", "smoker"]}``: linear effects on the log-parameter of the centred
        :class:`~skinremodel.Patient` fields (booleans as 0/1).
    covariance : {"diagonal", "full"}
        Structure of Omega.
    observation_model : optional
        As in :func:`skinremodel.fit` (``"additive"``, ``"proportional"`` (default),
        ``"combined"``; ordinal grades get the ordered-logit likelihood).
    params : Parameters or mapping, optional
        Values of everything not estimated, and the starting typical values.
    initial : mapping, optional
        Starting values by name (``"s_w"``, ``"noise_cv[elasticity]"``).
    omega_initial : float
        Starting between-subject SD of every log-parameter.
    max_iter : int
        Iterations of the Laplace-EM algorithm; reaching it without convergence warns
        (:class:`ConvergenceWarning`) and sets ``converged = False``.
    tol : float
        Convergence: every log-scale population parameter moves less than ``tol`` in two
        consecutive iterations.
    options : SolverOptions, optional
        Integrator settings of the engine (sensitivities ride on the state steps); default
        ``SolverOptions()``.
    progress : bool, optional
        Progress bar (tqdm); default: only when standard error is a terminal.
    method, rtol : optional
        Deprecated (a DeprecationWarning): give ``options=SolverOptions(...)``.

    Returns
    -------
    PopulationFit

    Warns
    -----
    ConvergenceWarning
        The algorithm did not converge within ``max_iter`` iterations.
    NonIdentifiableWarning
        The Fisher information of the population parameters is (nearly) singular.

    Examples
    --------
    >>> import skinremodel as sr  # doctest: +SKIP
    >>> pf = sr.fit_population(data, random={"s_w": "lognormal", "k_mat": "lognormal"},
    ...                        fixed=["kap_US"], observation_model="proportional")
    """
    opts = deprecated_options("fit_population", options, DEFAULT_OPTIONS, method=method, rtol=rtol)
    dataset = as_dataset(data, plans, patients)
    rspec = _random_spec(random)
    rnames = list(rspec)
    fnames = check_names("fixed", fixed)
    both = sorted(set(rnames) & set(fnames))
    if both:
        raise ValueError(f"{', '.join(both)} cannot be both fixed and random")
    check_choice("covariance", covariance, ("diagonal", "full"))
    omega0 = check_real("omega_initial", omega_initial, 1e-3, 5.0)
    max_iter = check_int("max_iter", max_iter, 1, 100_000)
    tol = check_real("tol", tol, 1e-12, 1.0)
    if len(dataset.subjects) < 2:
        raise ValueError(
            "fit_population needs at least 2 subjects; use sr.fit or sr.sample_posterior for one"
        )
    models = resolve_observation_models(observation_model, dataset.observable_names)
    base = resolve_params(params)
    initial = dict(initial or {})
    effects, xmat, centres = _covariate_matrix(dataset, covariates, rnames)

    # One single-subject likelihood per subject; noise names are global.
    subjects: list[_Subject] = []
    noise_names: list[str] = []
    noise_start: dict[str, float] = {}
    problems = []
    for s in dataset.subjects:
        sub = Dataset(dataset.for_subject(s), {s: dataset.plans[s]}, {s: dataset.patients[s]})
        init = {k: v for k, v in initial.items() if not k.startswith("noise_")}
        prob = SubjectProblem(sub, [*rnames, *fnames], [], models, base, init, {}, opts)
        problems.append(prob)
        for e in prob.entries:
            if e.kind == "noise" and e.name not in noise_names:
                noise_names.append(e.name)
                noise_start[e.name] = e.initial
    for k, v in initial.items():
        if k.startswith("noise_"):
            if k not in noise_names:
                raise ValueError(
                    f"initial: {k!r} is not estimated; noise parameters: "
                    f"{', '.join(noise_names) or 'none'}"
                )
            noise_start[k] = check_real(f"initial[{k!r}]", v, 0, math.inf, lo_closed=False)
    for i, (s, prob) in enumerate(zip(dataset.subjects, problems, strict=True)):
        names = [e.name for e in prob.entries]
        r_idx = [names.index(n) for n in rnames]
        subjects.append(
            _Subject(
                s,
                prob,
                r_idx,
                [names.index(n) for n in fnames],
                [(names.index(n), k) for k, n in enumerate(noise_names) if n in names],
                xmat[i],
                prob.theta0[r_idx].copy(),
                prob.lower[r_idx],
                prob.upper[r_idx],
            )
        )

    n_r, n_sub = len(rnames), len(subjects)
    mu = problems[0].theta0[subjects[0].r_idx].copy()
    beta = np.zeros(len(effects))
    omega = np.eye(n_r) * omega0**2
    g_fixed = problems[0].theta0[subjects[0].f_idx].copy()
    g_noise = np.log([noise_start[n] for n in noise_names]) if noise_names else np.zeros(0)
    start = np.concatenate([mu, g_fixed, g_noise])

    def means() -> Array:
        m = np.tile(mu, (n_sub, 1))
        for k, (p, _) in enumerate(effects):
            m[:, rnames.index(p)] += beta[k] * xmat[:, k]
        return m

    def pack() -> Array:
        sd = np.sqrt(np.diag(omega))
        parts = [mu, beta, np.log(sd), g_fixed, g_noise]
        if covariance == "full" and n_r > 1:
            corr = omega / np.outer(sd, sd)
            parts.append(corr[np.triu_indices(n_r, 1)])
        return np.concatenate(parts)

    history: list[dict[str, Any]] = []
    converged = False
    calm = 0
    previous = pack()
    it = 0
    for it in progress_bar(
        range(1, max_iter + 1), total=max_iter, desc="fit_population", progress=progress
    ):
        ofv = _e_step(subjects, means(), omega, g_fixed, g_noise)
        history.append({"iteration": it, "ofv": ofv})
        # M-step
        phis = np.array([s.phi for s in subjects])
        conds = np.array([s.cond_cov for s in subjects])
        mu, beta = _regress(phis, xmat, effects, rnames)
        m = means()
        dev = phis - m
        omega_new = (dev.T @ dev + conds.sum(axis=0)) / n_sub
        if covariance == "diagonal":
            omega_new = np.diag(np.diag(omega_new))
        omega = omega_new + np.eye(n_r) * 1e-10
        if noise_names:
            g_noise = _noise_step(subjects, g_fixed, g_noise, noise_names)
        if fnames:
            g_fixed = _fixed_step(subjects, m, omega, g_fixed, g_noise)
        current = pack()
        change = float(np.max(np.abs(current - previous))) if len(current) else 0.0
        history[-1]["change"] = change
        previous = current
        calm = calm + 1 if change < tol else 0
        if calm >= 2:
            converged = True
            break
    ofv = _e_step(subjects, means(), omega, g_fixed, g_noise)
    result = PopulationFit._build(
        dataset=dataset,
        subjects=subjects,
        rnames=rnames,
        fnames=fnames,
        noise_names=noise_names,
        effects=effects,
        centres=centres,
        xmat=xmat,
        mu=mu,
        beta=beta,
        omega=omega,
        g_fixed=g_fixed,
        g_noise=g_noise,
        ofv=ofv,
        converged=converged,
        iterations=it,
        history=history,
        covariance_kind=covariance,
        base=base,
        start=start,
    )
    if not converged:
        warnings.warn(
            f"fit_population did not converge in {it} iterations (largest change of a "
            f"log-scale population parameter in the last iteration: "
            f"{history[-1].get('change', math.nan):.3g}, tol {tol:g}); the estimates are the "
            "last iterate, not an optimum: raise max_iter, simplify the model or check the "
            "identifiability report",
            ConvergenceWarning,
            stacklevel=2,
        )
    if not result.identifiable:
        warnings.warn(
            "fit_population: " + result.identifiability_summary(),
            NonIdentifiableWarning,
            stacklevel=2,
        )
    return result


def _e_step(
    subjects: list[_Subject], m: Array, omega: Array, g_fixed: Array, g_noise: Array
) -> float:
    """Conditional modes and covariances of every subject; returns the FOCE-I OFV (-2 log L)."""
    lchol = np.linalg.cholesky(omega)
    linv = np.linalg.inv(lchol)
    omega_inv = linv.T @ linv
    logdet_omega = 2.0 * float(np.sum(np.log(np.diag(lchol))))
    total = 0.0
    for i, s in enumerate(subjects):
        mi = m[i]
        prob = s.problem

        def res(phi: Array, s: _Subject = s, mi: Array = mi) -> Array:
            return np.concatenate(
                [prob_of(s).residuals(s.theta(phi, g_fixed, g_noise)), linv @ (phi - mi)]
            )

        def jac(phi: Array, s: _Subject = s) -> Array:
            j = prob_of(s).jacobian(s.theta(phi, g_fixed, g_noise))[:, s.r_idx]
            return np.vstack([j, linv])

        x0 = np.clip(s.phi, s.lower, s.upper)
        try:
            sol = least_squares(
                res,
                x0,
                jac=jac,
                bounds=(s.lower, s.upper),
                method="trf",
                xtol=1e-9,
                ftol=1e-9,
                gtol=1e-9,
                max_nfev=100,
            )
        except SolverError as exc:  # a step into a region the engine cannot solve
            raise RuntimeError(
                f"fit_population: the model could not be solved for subject "
                f"{s.name!r} while searching its conditional mode ({exc}); "
                "check the data, bounds or starting values"
            ) from exc
        s.phi = np.asarray(sol.x, dtype=np.float64)
        th = s.theta(s.phi, g_fixed, g_noise)
        fisher = prob.fisher_information(th)[np.ix_(s.r_idx, s.r_idx)]
        h = fisher + omega_inv
        s.cond_cov = np.linalg.inv(h)
        d = s.phi - mi
        _, logdet_h = np.linalg.slogdet(h)
        total += (
            prob.negative_log_likelihood(th)
            + 0.5 * float(d @ omega_inv @ d)
            + 0.5 * logdet_omega
            + 0.5 * float(logdet_h)
        )
    return 2.0 * total


def prob_of(s: _Subject) -> FitProblem:
    """Return the subject's likelihood."""
    return s.problem


def _regress(
    phis: Array, xmat: Array, effects: list[tuple[str, str]], rnames: list[str]
) -> tuple[Array, Array]:
    """Typical values and covariate effects: least squares of the modes per parameter."""
    mu = np.zeros(len(rnames))
    beta = np.zeros(len(effects))
    for j, p in enumerate(rnames):
        cols = [k for k, (q, _) in enumerate(effects) if q == p]
        design = np.column_stack([np.ones(len(phis)), *(xmat[:, k] for k in cols)])
        coef, *_ = np.linalg.lstsq(design, phis[:, j], rcond=None)
        mu[j] = coef[0]
        beta[cols] = coef[1:]
    return mu, beta


def _noise_step(
    subjects: list[_Subject], g_fixed: Array, g_noise: Array, noise_names: list[str]
) -> Array:
    """Residual-error parameters minimising the expected nll given the conditional modes."""
    per_obs: dict[str, list[tuple[Array, Array, Array]]] = {}
    for s in subjects:
        prob = s.problem
        th = s.theta(s.phi, g_fixed, g_noise)
        ev = prob.evaluate(th)
        y = prob.data.observations["value"].to_numpy(dtype=np.float64)
        names = prob.data.observations["observable"].to_numpy()
        g = ev.df[:, s.r_idx]
        q = np.einsum("ij,jk,ik->i", g, s.cond_cov, g)
        for o in prob.data.observable_names:
            r = prob._model_rows[names[prob._model_rows] == o]
            if len(r):
                per_obs.setdefault(o, []).append(
                    ((y[r] - ev.f[r]) ** 2 + q[r], ev.f[r], prob._sigma_floor[r])
                )
    out = g_noise.copy()
    for o, parts in per_obs.items():
        e = np.concatenate([p[0] for p in parts])
        f = np.concatenate([p[1] for p in parts])
        floor = np.concatenate([p[2] for p in parts])
        ia = noise_names.index(f"noise_sd[{o}]") if f"noise_sd[{o}]" in noise_names else None
        ib = noise_names.index(f"noise_cv[{o}]") if f"noise_cv[{o}]" in noise_names else None
        if ia is None and ib is None:
            continue
        model = subjects[0].problem.observation_models[o]

        def objective(
            x: Array,
            ia: int | None = ia,
            ib: int | None = ib,
            e: Array = e,
            f: Array = f,
            floor: Array = floor,
            model: Any = model,
        ) -> float:
            a = math.exp(x[0]) if ia is not None else (model.sd or 0.0)
            b = math.exp(x[-1]) if ib is not None else (model.cv if model.cv is not None else 0.0)
            if model.kind == "additive":
                b = 0.0
            if model.kind == "proportional":
                a = 0.0
            var = a * a + (b * f) ** 2 + floor**2
            return float(np.sum(0.5 * e / var + 0.5 * np.log(var)))

        idx = [k for k in (ia, ib) if k is not None]
        sol = minimize(
            objective,
            out[idx],
            method="Nelder-Mead",
            options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 2000},
        )
        out[idx] = sol.x
    return out


def _fixed_step(
    subjects: list[_Subject], m: Array, omega: Array, g_fixed: Array, g_noise: Array
) -> Array:
    """One Gauss-Newton step of the parameters without variability, the modes profiled out."""
    omega_inv = np.linalg.inv(omega)
    n_f = len(g_fixed)
    info = np.zeros((n_f, n_f))
    grad = np.zeros(n_f)
    for s in subjects:
        prob = s.problem
        th = s.theta(s.phi, g_fixed, g_noise)
        fisher = prob.fisher_information(th)
        j = prob.jacobian(th)
        r = prob.residuals(th)
        hrr = fisher[np.ix_(s.r_idx, s.r_idx)] + omega_inv
        hrf = fisher[np.ix_(s.r_idx, s.f_idx)]
        info += fisher[np.ix_(s.f_idx, s.f_idx)] - hrf.T @ np.linalg.solve(hrr, hrf)
        grad += j[:, s.f_idx].T @ r
    step, *_ = np.linalg.lstsq(info, -grad, rcond=1e-10)
    step = np.clip(step, -0.5, 0.5)
    lower = subjects[0].problem.lower[subjects[0].f_idx]
    upper = subjects[0].problem.upper[subjects[0].f_idx]
    return np.asarray(np.clip(g_fixed + step, lower, upper), dtype=np.float64)


class PopulationFit:
    """The result of :func:`fit_population`.

    Attributes
    ----------
    population : pandas.DataFrame
        One row per population parameter: typical values (``"s_w"``, the median of the
        population: exp(mu)), covariate effects (``"beta[s_w:age]"``, per unit of the covariate,
        on the log scale), between-subject SDs of the log-parameters (``"omega[s_w]"``, about
        the coefficient of variation), correlations (``"corr[s_w,k_mat]"``, full covariance),
        parameters without variability and residual-error parameters; columns ``estimate``,
        ``se``, ``rse (%)``, ``ci_lower``, ``ci_upper`` (95%, log scale for positive
        quantities), ``kind``.
    estimates : dict of str to float
        The ``estimate`` column.
    omega : pandas.DataFrame
        Covariance of the random effects (log scale).
    individual : pandas.DataFrame
        Empirical-Bayes estimates (conditional modes) per subject on the natural scale, with
        95% conditional intervals (``"s_w lower"``, ``"s_w upper"``) and the random effects
        (``"eta[s_w]"``).
    shrinkage : dict of str to float
        eta-shrinkage 1 - sd(eta) / omega per random parameter.
    ofv : float
        FOCE-I objective, -2 log L (Laplace approximation, all constants).
    converged : bool
    iterations : int
    history : pandas.DataFrame
        OFV and largest parameter change per iteration.
    covariance : pandas.DataFrame
        Covariance of the internal population parameters (mu, beta, Omega elements, log
        fixed, log noise): the inverse expected Fisher information of the linearised model;
        infinite variance where the data give no information.
    identifiable : bool
        False when the Fisher information is nearly singular or two estimates are correlated
        beyond 0.99 (:meth:`identifiability_summary` says which).
    """

    def __init__(self) -> None:
        self.population = pd.DataFrame()
        self.estimates: dict[str, float] = {}
        self.omega = pd.DataFrame()
        self.individual = pd.DataFrame()
        self.shrinkage: dict[str, float] = {}
        self.ofv = math.nan
        self.converged = False
        self.iterations = 0
        self.history = pd.DataFrame()
        self.covariance = pd.DataFrame()
        self.identifiable = True
        self.weak_directions: list[dict[str, float]] = []
        self.correlated: list[tuple[str, str, float]] = []
        self.data: Dataset
        self.random: list[str] = []
        self.fixed: list[str] = []
        self.noise_names: list[str] = []
        self.effects: list[tuple[str, str]] = []
        self.centres: dict[str, float] = {}
        self.base: Parameters
        self._subjects: list[_Subject] = []
        self._internal = np.zeros(0)
        self._names: list[str] = []
        self._mu = np.zeros(0)
        self._beta = np.zeros(0)
        self._omega = np.zeros((0, 0))
        self._g_fixed = np.zeros(0)
        self._g_noise = np.zeros(0)
        self._xmat = np.zeros((0, 0))
        #: Starting log-values of the typical values, fixed and noise parameters.
        self.start = np.zeros(0)

    # ---------------------------------------------------------------------------- building
    @classmethod
    def _build(
        cls,
        *,
        dataset: Dataset,
        subjects: list[_Subject],
        rnames: list[str],
        fnames: list[str],
        noise_names: list[str],
        effects: list[tuple[str, str]],
        centres: dict[str, float],
        xmat: Array,
        mu: Array,
        beta: Array,
        omega: Array,
        g_fixed: Array,
        g_noise: Array,
        ofv: float,
        converged: bool,
        iterations: int,
        history: list[dict[str, Any]],
        covariance_kind: str,
        base: Parameters,
        start: Array,
    ) -> PopulationFit:
        self = cls()
        self.data, self.random, self.fixed, self.noise_names = dataset, rnames, fnames, noise_names
        self.effects, self.centres, self.base = effects, centres, base
        self._subjects, self._xmat = subjects, xmat
        self._mu, self._beta, self._omega = mu, beta, omega
        self._g_fixed, self._g_noise = g_fixed, g_noise
        self.ofv, self.converged, self.iterations = ofv, converged, iterations
        self.history = pd.DataFrame(history)
        self.start = start
        n_r = len(rnames)
        pairs = (
            [(j, j) for j in range(n_r)]
            if covariance_kind == "diagonal"
            else [(a, b) for a in range(n_r) for b in range(a, n_r)]
        )
        names = (
            [f"mu[{p}]" for p in rnames]
            + [f"beta[{p}:{c}]" for p, c in effects]
            + [f"Omega[{rnames[a]},{rnames[b]}]" for a, b in pairs]
            + [f"log {p}" for p in fnames]
            + [f"log {n}" for n in noise_names]
        )
        fim = self._fisher(pairs)
        cov = _covariance(fim)
        self._names = names
        self.covariance = pd.DataFrame(cov, index=names, columns=names)
        var = np.diag(cov)
        sd = np.sqrt(np.where(np.isfinite(var) & (var >= 0), var, np.inf))
        rows: list[dict[str, Any]] = []

        def positive(name: str, kind: str, log_value: float, log_sd: float) -> None:
            v = math.exp(log_value)
            rows.append(
                {
                    "name": name,
                    "kind": kind,
                    "estimate": v,
                    "se": v * log_sd,
                    "ci_lower": math.exp(log_value - _Z95 * log_sd)
                    if math.isfinite(log_sd)
                    else 0.0,
                    "ci_upper": math.exp(log_value + _Z95 * log_sd),
                }
            )

        k = 0
        for j, p in enumerate(rnames):
            positive(p, "typical", float(mu[j]), float(sd[k]))
            k += 1
        for b, (p, c) in enumerate(effects):
            rows.append(
                {
                    "name": f"beta[{p}:{c}]",
                    "kind": "covariate",
                    "estimate": beta[b],
                    "se": sd[k],
                    "ci_lower": beta[b] - _Z95 * sd[k],
                    "ci_upper": beta[b] + _Z95 * sd[k],
                }
            )
            k += 1
        omega_index = {}
        for a, b in pairs:
            omega_index[(a, b)] = k
            k += 1
        for j, p in enumerate(rnames):
            w = math.sqrt(omega[j, j])
            se_var = sd[omega_index[(j, j)]]
            positive(f"omega[{p}]", "omega", math.log(w), float(se_var / (2 * w * w)))
        if covariance_kind == "full":
            for a, b in pairs:
                if a == b:
                    continue
                ia, ib, iab = omega_index[(a, a)], omega_index[(b, b)], omega_index[(a, b)]
                r = omega[a, b] / math.sqrt(omega[a, a] * omega[b, b])
                grad = np.zeros(len(names))
                grad[iab] = 1 / math.sqrt(omega[a, a] * omega[b, b])
                grad[ia] = -0.5 * r / omega[a, a]
                grad[ib] = -0.5 * r / omega[b, b]
                sub = [ia, ib, iab]
                se = math.sqrt(max(float(grad[sub] @ cov[np.ix_(sub, sub)] @ grad[sub]), 0.0))
                rows.append(
                    {
                        "name": f"corr[{rnames[a]},{rnames[b]}]",
                        "kind": "correlation",
                        "estimate": r,
                        "se": se,
                        "ci_lower": max(r - _Z95 * se, -1.0),
                        "ci_upper": min(r + _Z95 * se, 1.0),
                    }
                )
        for j, p in enumerate(fnames):
            positive(p, "fixed", float(g_fixed[j]), float(sd[k]))
            k += 1
        for j, n in enumerate(noise_names):
            positive(n, "noise", float(g_noise[j]), float(sd[k]))
            k += 1
        table = pd.DataFrame(rows).set_index("name")
        with np.errstate(divide="ignore", invalid="ignore"):
            table.insert(2, "rse (%)", 100 * table["se"] / table["estimate"].abs())
        self.population = table
        self.estimates = {str(n): float(v) for n, v in table["estimate"].items()}
        self.omega = pd.DataFrame(omega, index=rnames, columns=rnames)
        self._individual_tables()
        self._identifiability(fim, cov)
        return self

    def _fisher(self, pairs: list[tuple[int, int]]) -> Array:
        """Return the expected Fisher information of the model linearised about the modes."""
        n_r, n_b = len(self.random), len(self.effects)
        n_f, n_n = len(self.fixed), len(self.noise_names)
        n_o = len(pairs)
        n = n_r + n_b + n_o + n_f + n_n
        fim = np.zeros((n, n))
        for i, s in enumerate(self._subjects):
            prob = s.problem
            th = s.theta(s.phi, self._g_fixed, self._g_noise)
            ev = prob.evaluate(th)
            g = ev.df[:, s.r_idx]
            sig = ev.sigma
            v = g @ self._omega @ g.T + np.diag(sig**2)
            vinv = np.linalg.inv(v)
            rows = len(sig)
            dm = np.zeros((n, rows))
            dv_diag = np.zeros((n, rows))  # diagonal derivatives of V
            dv_full: dict[int, Array] = {}
            for j in range(n_r):
                dm[j] = g[:, j]
                dv_diag[j] = 2 * sig * ev.dsigma[:, s.r_idx[j]]
            for b, (p, _) in enumerate(self.effects):
                j = self.random.index(p)
                dm[n_r + b] = g[:, j] * self._xmat[i, b]
                dv_diag[n_r + b] = dv_diag[j] * self._xmat[i, b]
            for k, (a, b) in enumerate(pairs):
                e = np.zeros((n_r, n_r))
                e[a, b] = e[b, a] = 1.0
                dv_full[n_r + n_b + k] = g @ e @ g.T
            base = n_r + n_b + n_o
            for j in range(n_f):
                dm[base + j] = ev.df[:, s.f_idx[j]]
                dv_diag[base + j] = 2 * sig * ev.dsigma[:, s.f_idx[j]]
            for idx, kk in s.noise:
                dv_diag[base + n_f + kk] = 2 * sig * ev.dsigma[:, idx]
            mats = [dv_full[a] if a in dv_full else np.diag(dv_diag[a]) for a in range(n)]
            vm = [vinv @ m for m in mats]
            fim += dm @ vinv @ dm.T
            for a in range(n):
                for b in range(a, n):
                    t = 0.5 * float(np.sum(vm[a] * vm[b].T))
                    fim[a, b] += t
                    if a != b:
                        fim[b, a] += t
        return fim

    def _means(self) -> Array:
        m = np.tile(self._mu, (len(self._subjects), 1))
        for k, (p, _) in enumerate(self.effects):
            m[:, self.random.index(p)] += self._beta[k] * self._xmat[:, k]
        return m

    def _individual_tables(self) -> None:
        m = self._means()
        rows = []
        etas = []
        for i, s in enumerate(self._subjects):
            row: dict[str, Any] = {"subject": s.name}
            sd = np.sqrt(np.diag(s.cond_cov))
            for j, p in enumerate(self.random):
                row[p] = math.exp(s.phi[j])
                row[f"{p} lower"] = math.exp(s.phi[j] - _Z95 * sd[j])
                row[f"{p} upper"] = math.exp(s.phi[j] + _Z95 * sd[j])
            eta = s.phi - m[i]
            etas.append(eta)
            for j, p in enumerate(self.random):
                row[f"eta[{p}]"] = eta[j]
            rows.append(row)
        self.individual = pd.DataFrame(rows).set_index("subject")
        e = np.array(etas)
        self.shrinkage = {
            p: float(1 - e[:, j].std(ddof=0) / math.sqrt(self._omega[j, j]))
            for j, p in enumerate(self.random)
        }

    def _identifiability(self, fim: Array, cov: Array) -> None:
        d = np.sqrt(np.abs(np.diag(fim)))
        d[d == 0] = 1.0
        w, v = np.linalg.eigh(fim / np.outer(d, d))
        top = max(float(w.max()), 1e-300)
        self.weak_directions = [
            {n: float(x) for n, x in zip(self._names, v[:, k], strict=True) if abs(x) > 0.1}
            for k in range(len(w))
            if w[k] < 1e-6 * top
        ]
        self.correlated = []
        var = np.diag(cov)
        for a in range(len(var)):
            for b in range(a + 1, len(var)):
                if np.isfinite(var[a]) and np.isfinite(var[b]) and var[a] > 0 and var[b] > 0:
                    r = cov[a, b] / math.sqrt(var[a] * var[b])
                    if abs(r) > 0.99:
                        self.correlated.append((self._names[a], self._names[b], float(r)))
        infinite = [n for n, x in zip(self._names, var, strict=True) if not np.isfinite(x)]
        self.identifiable = not (self.weak_directions or self.correlated or infinite)

    # ----------------------------------------------------------------------------- reports
    def identifiability_summary(self) -> str:
        """Say in words what the data cannot determine (or that everything is identified)."""
        if self.identifiable:
            return "every population parameter is identified by the data"
        parts = []
        for direction in self.weak_directions:
            combo = " + ".join(f"{x:.2f} {n}" for n, x in direction.items())
            parts.append(f"the data do not determine the combination {combo}")
        for a, b, r in self.correlated:
            parts.append(f"{a} and {b} cannot be told apart (correlation {r:+.4f})")
        infinite = [n for n in self._names if not np.isfinite(self.covariance.loc[n, n])]
        if infinite:
            parts.append(f"no information on {', '.join(infinite)} (infinite standard error)")
        return "not identifiable: " + "; ".join(parts)

    def summary(self) -> str:
        """Text summary: method, convergence, OFV, the population table, identifiability."""
        status = "converged" if self.converged else "NOT CONVERGED"
        return (
            f"Nonlinear mixed effects (FOCE-I, Laplace-EM), {len(self._subjects)} subjects, "
            f"{len(self.data)} observations: {status} after {self.iterations} iterations; "
            f"OFV (-2 log L) {self.ofv:.3f}\n{self.population.to_string()}\n"
            f"{self.identifiability_summary()}"
        )

    def __repr__(self) -> str:
        return (
            f"<PopulationFit: {len(self._subjects)} subjects, random "
            f"{', '.join(self.random)}; {'converged' if self.converged else 'NOT converged'}"
            f", OFV {self.ofv:.2f}>"
        )

    def _repr_html_(self) -> str:
        return render(
            "repr/population_fit.html.j2",
            title=repr(self)[1:-1],
            population=table(self.population),
            summary=self.identifiability_summary(),
        )

    # ------------------------------------------------------------------------- predictions
    def predict(
        self, subject: str, days: Any = None, observables: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Individual and population predictions of one subject, with a 95% band.

        ``individual`` uses the subject's empirical-Bayes estimates, its band ``lower``/``upper``
        their conditional uncertainty (delta method); ``population`` the typical values for the
        subject's covariates (random effects 0). Default days: daily up to the last
        observation; default observables: those of the data.
        """
        names = [s.name for s in self._subjects]
        if subject not in names:
            raise KeyError(f"unknown subject {subject!r}; subjects are {', '.join(names)}")
        i = names.index(subject)
        s = self._subjects[i]
        obs = self.data.for_subject(subject)
        if days is None:
            days = np.arange(0.0, float(obs["day"].max()) + 1.0)
        days = np.asarray(days, dtype=np.float64)
        observables = list(observables or self.data.observable_names)
        d = np.repeat(days, len(observables))
        o = np.array(observables * len(days), dtype=object)
        th = s.theta(s.phi, self._g_fixed, self._g_noise)
        f, df = s.problem.predict_subject(subject, th, d, o, s.r_idx)
        sd = np.sqrt(np.einsum("ij,jk,ik->i", df, s.cond_cov, df))
        th_pop = s.theta(self._means()[i], self._g_fixed, self._g_noise)
        f_pop, _ = s.problem.predict_subject(subject, th_pop, d, o, [])
        return pd.DataFrame(
            {
                "day": d,
                "observable": o,
                "individual": f,
                "lower": f - _Z95 * sd,
                "upper": f + _Z95 * sd,
                "population": f_pop,
            }
        )

    def parameter_draws(
        self,
        n: int,
        seed: int | np.random.Generator | None = 0,
        patient: Patient | None = None,
        uncertainty: bool = True,
    ) -> list[Parameters]:
        """Parameter sets of new patients drawn from the fitted population.

        The typical values, covariate effects and fixed parameters are drawn from their
        asymptotic normal distribution (``uncertainty=True``, where the standard errors are
        finite), then each patient's random effects from Normal(0, Omega).
        """
        n = check_int("n", n, 1, 10_000_000)
        rng = as_generator(seed)
        patient = patient or Patient()
        x = np.array([float(getattr(patient, c)) - self.centres[c] for _, c in self.effects])
        n_r, n_b, n_f = len(self.random), len(self.effects), len(self.fixed)
        head = np.concatenate([self._mu, self._beta])
        idx = list(range(n_r + n_b))
        n_o = len(self._names) - n_r - n_b - n_f - len(self.noise_names)
        idx_f = list(range(n_r + n_b + n_o, n_r + n_b + n_o + n_f))
        centre = np.concatenate([head, self._g_fixed])
        cov = self.covariance.to_numpy()[np.ix_(idx + idx_f, idx + idx_f)]
        if uncertainty and np.all(np.isfinite(cov)):
            w, v = np.linalg.eigh(0.5 * (cov + cov.T))
            z = rng.standard_normal((n, len(centre))) * np.sqrt(np.maximum(w, 0))
            draws = centre + z @ v.T
        else:
            draws = np.tile(centre, (n, 1))
        eta = rng.multivariate_normal(np.zeros(n_r), self._omega, size=n)
        out = []
        for k in range(n):
            mu = draws[k, :n_r].copy()
            for b, (p, _) in enumerate(self.effects):
                mu[self.random.index(p)] += draws[k, n_r + b] * x[b]
            values = {p: math.exp(mu[j] + eta[k, j]) for j, p in enumerate(self.random)}
            values.update({p: math.exp(draws[k, n_r + n_b + j]) for j, p in enumerate(self.fixed)})
            out.append(self.base.update(values))
        return out

    def predict_population(
        self,
        plan: Schedule,
        patient: Patient | None = None,
        days: float | Any = 365,
        *,
        observables: Sequence[str] = ("total_collagen",),
        n: int = 500,
        seed: int | None = 0,
        quantiles: Sequence[float] = (0.025, 0.25, 0.5, 0.75, 0.975),
        uncertainty: bool = True,
        **options: Any,
    ) -> PredictionBands:
        """Return population predictive bands of a plan for a new patient (any plan).

        ``n`` parameter sets from :meth:`parameter_draws` are simulated in the batch engine;
        the bands are quantiles over them on every output day. ``options`` go to
        :func:`skinremodel.simulate_many`.
        """
        return predictive_bands(
            self.parameter_draws(n, seed, patient, uncertainty),
            plan,
            patient,
            days,
            observables,
            quantiles,
            **options,
        )


def predictive_bands(
    draws: list[Parameters],
    plan: Schedule,
    patient: Patient | None,
    days: Any,
    observables: Sequence[str],
    quantiles: Sequence[float],
    **options: Any,
) -> PredictionBands:
    """Quantile bands over simulations of ``plan`` with each parameter set of ``draws``."""
    schedule = as_schedule(plan)
    names = tuple(observables)
    qs = np.asarray(quantiles, dtype=np.float64)
    res = simulate_many(schedule, patient or Patient(), draws, days, metrics=names, **options)
    ok = ~res.failed
    return PredictionBands.from_quantiles(
        {name: np.quantile(res.values(name)[ok], qs, axis=0) for name in names},
        res.days,
        qs,
        plan=schedule,
        horizon=res.horizon,
        n_patients=len(res),
        n_failed=res.n_failed,
    )
