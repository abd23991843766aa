"""Bayesian posteriors of MN-14 parameters: :func:`sample_posterior` (emcee, ArviZ).

Sampler: emcee's affine-invariant ensemble (differential-evolution moves, 80% DE and 20% DE
snooker) on the log-parameters, several independent ensembles ("chains"). Why not NUTS with the
engine's gradients: a likelihood evaluation with sensitivities costs 2-4 plain simulations, NUTS
needs tens of gradient evaluations per draw and a well-tuned mass matrix, and the posteriors of
a few log-parameters are close to Gaussian or ridge-shaped, where an ensemble sampler with
differential-evolution proposals needs no gradients or tuning and is robust. Convergence
diagnostics are ArviZ's rank-normalised split R-hat and bulk/tail ESS over every walker of every
ensemble. Method and checks: ``docs/inference.md``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .._validation import check_int, check_real
from ..engine.options import DEFAULT_OPTIONS, SolverOptions, deprecated_options
from ..engine.solver import resolve_params
from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..plans.schedule import Schedule
from ..populations.bands import PredictionBands
from ._common import (
    ConvergenceWarning,
    FastLikelihood,
    NonIdentifiableWarning,
    SubjectProblem,
    as_dataset,
    as_generator,
    check_names,
    progress_bar,
)
from .dataset import Dataset
from .fit import fit
from .observation_model import resolve_observation_models
from .population_fit import predictive_bands

__all__ = ["sample_posterior", "Posterior", "Prior", "default_prior"]

Array = NDArray[np.float64]
_PRIOR_KINDS = ("loguniform", "lognormal", "uniform", "halfnormal")
#: Default priors span this factor either side of the documented value (within the domain).
PRIOR_DECADES = 2.0


def _require(module: str) -> Any:
    import importlib

    try:
        with warnings.catch_warnings():  # ArviZ 0.2x announces its 1.0 refactor on import
            warnings.simplefilter("ignore", FutureWarning)
            return importlib.import_module(module)
    except ImportError:  # pragma: no cover - the test extra installs both
        raise ImportError(
            f"sample_posterior needs {module}: pip install "
            f"'skinremodel[inference]' (emcee and arviz)"
        ) from None


class Prior:
    """A prior on a positive quantity, evaluated on its logarithm.

    Parameters
    ----------
    kind : {"loguniform", "lognormal", "uniform", "halfnormal"}
        ``("loguniform", low, high)``; ``("lognormal", median, sd_of_log)``;
        ``("uniform", low, high)`` on the natural scale; ``("halfnormal", scale)``.
    """

    def __init__(self, kind: str, *args: float) -> None:
        if kind not in _PRIOR_KINDS:
            raise ValueError(f"prior kind must be one of {', '.join(_PRIOR_KINDS)}, got {kind!r}")
        need = 1 if kind == "halfnormal" else 2
        if len(args) != need:
            raise ValueError(f"a {kind} prior takes {need} numbers, got {args}")
        vals = [check_real(f"{kind} prior argument", a, 0, math.inf, lo_closed=False) for a in args]
        if kind in ("loguniform", "uniform") and not vals[0] < vals[1]:
            raise ValueError(f"{kind} prior: low must be < high, got {args}")
        self.kind, self.args = kind, tuple(vals)

    def logpdf(self, x: float) -> float:
        """Log density of log p = x (the Jacobian included)."""
        k, a = self.kind, self.args
        if k == "loguniform":
            return (
                -math.log(math.log(a[1] / a[0]))
                if math.log(a[0]) <= x <= math.log(a[1])
                else -math.inf
            )
        if k == "lognormal":
            z = (x - math.log(a[0])) / a[1]
            return -0.5 * z * z - math.log(a[1] * math.sqrt(2 * math.pi))
        p = math.exp(x)
        if k == "uniform":
            return x - math.log(a[1] - a[0]) if a[0] <= p <= a[1] else -math.inf
        return x + 0.5 * math.log(2 / math.pi) - math.log(a[0]) - 0.5 * (p / a[0]) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> Array:
        """Draws of log p."""
        k, a = self.kind, self.args
        if k == "loguniform":
            return rng.uniform(math.log(a[0]), math.log(a[1]), n)
        if k == "lognormal":
            return math.log(a[0]) + a[1] * rng.standard_normal(n)
        if k == "uniform":
            return np.log(rng.uniform(a[0], a[1], n))
        return np.log(np.abs(a[0] * rng.standard_normal(n)) + 1e-300)

    def sd_log(self) -> float:
        """Return the standard deviation of log p under the prior (for 'the data barely inform')."""
        k, a = self.kind, self.args
        if k == "loguniform":
            return math.log(a[1] / a[0]) / math.sqrt(12)
        if k == "lognormal":
            return a[1]
        return float(np.std(self.sample(np.random.default_rng(0), 20_000)))

    def __repr__(self) -> str:
        return f"Prior({self.kind!r}, {', '.join(f'{a:g}' for a in self.args)})"


def default_prior(name: str, base: Parameters) -> Prior:
    """Log-uniform over the documented domain within a factor 100 of the documented value."""
    info = Parameters.info(name)
    v = base[name] if base[name] > 0 else Parameters.default()[name]
    if not v > 0:
        raise ValueError(f"{name} has the value 0: give it a prior (priors={{{name!r}: ...}})")
    f = 10.0**PRIOR_DECADES
    lo = max(v / f, info.lower if info.lower > 0 else 0.0)
    hi = min(v * f, info.upper)
    if lo == 0.0:
        lo = v / f
    return Prior("loguniform", lo, hi)


def _as_prior(name: str, spec: Any) -> Prior:
    if isinstance(spec, Prior):
        return spec
    if isinstance(spec, (tuple, list)) and spec and isinstance(spec[0], str):
        return Prior(spec[0], *spec[1:])
    raise TypeError(
        f"priors[{name!r}] must be a Prior or a tuple like ('lognormal', 0.03, 0.5), got {spec!r}"
    )


class _LogPosterior:
    """Log posterior on the sampling vector x (log-parameters, non-centred random effects)."""

    def __init__(
        self,
        likelihoods: list[tuple[FastLikelihood, Any]],
        priors: list[Prior],
        n_prior: int,
        hier: dict[str, Any] | None,
    ) -> None:
        self.likelihoods = likelihoods
        self.priors = priors
        self.n_prior = n_prior
        self.hier = hier

    def __call__(self, x: Array) -> float:
        lp = 0.0
        for k in range(self.n_prior):
            lp += self.priors[k].logpdf(float(x[k]))
            if lp == -math.inf:
                return -math.inf
        if self.hier is not None:
            eta = x[self.n_prior :]
            lp += -0.5 * float(eta @ eta)
        for like, make_theta in self.likelihoods:
            nll = like(make_theta(x))
            if not math.isfinite(nll):
                return -math.inf
            lp -= nll
        return lp


def sample_posterior(
    data: Dataset | pd.DataFrame,
    plans: Any = None,
    patients: Any = None,
    *,
    parameters: Sequence[str] = (),
    random: Sequence[str] = (),
    priors: Mapping[str, Any] | None = None,
    observation_model: Any = None,
    params: Parameters | Mapping[str, float] | None = None,
    chains: int = 4,
    walkers: int | None = None,
    draws: int = 1000,
    tune: int = 500,
    seed: int | None = 0,
    rhat_max: float = 1.01,
    ess_min: float = 400.0,
    options: SolverOptions | None = None,
    progress: bool | None = None,
    client: Any = None,
    method: str | None = None,
    rtol: float | None = None,
) -> Posterior:
    """Sample the posterior of model parameters of one subject or a hierarchical cohort.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame
        Observations (continuous and ordinal grades); with a DataFrame give ``plans``.
    plans, patients : optional
        As for :class:`~skinremodel.Dataset`.
    parameters : sequence of str
        Parameters common to every subject (for one subject: its parameters).
    random : sequence of str
        Hierarchical cohort: parameters with log-normal between-subject variability; sampled as
        typical values ``mu[p]`` (prior: that of ``p``), SDs ``omega[p]`` (half-normal, scale
        1) and standardised random effects ``eta[p][subject]`` (non-centred).
    priors : mapping, optional
        Priors by name: a :class:`Prior` or a tuple ``("lognormal", median, sd_of_log)``,
        ``("loguniform", low, high)``, ``("uniform", low, high)``, ``("halfnormal", scale)``.
        Default (:func:`default_prior`): log-uniform over the parameter's documented domain
        within a factor 100 of its documented value; noise CVs log-uniform on 0.001-2, noise
        SDs on 1e-4-10 times the observable's mean absolute value.
    observation_model : optional
        As in :func:`skinremodel.fit`.
    params : Parameters or mapping, optional
        Values of everything not sampled (and the documented values the default priors centre
        on).
    chains : int
        Independent emcee ensembles (each seeded from ``seed``).
    walkers : int, optional
        Walkers per ensemble (default: max(8, 2 x dimensions), even).
    draws, tune : int
        Kept and discarded steps per walker.
    seed : int, optional
        Seed of the starting points and of the ensembles (reproducible bit for bit).
    rhat_max, ess_min : float
        Convergence criteria: every R-hat below ``rhat_max`` and every bulk and tail ESS above
        ``ess_min``; otherwise :class:`ConvergenceWarning` and ``converged = False``.
    options : SolverOptions, optional
        Integrator settings (default ``SolverOptions()``).
    progress : bool, optional
        Progress bar (default: only when standard error is a terminal).
    client : dask.distributed.Client, optional
        Run the chains as Dask tasks.
    method, rtol : optional
        Deprecated (a DeprecationWarning): give ``options=SolverOptions(...)``.

    Returns
    -------
    Posterior

    Warns
    -----
    ConvergenceWarning
        R-hat or ESS fail their criteria.
    NonIdentifiableWarning
        Two sampled quantities are correlated beyond 0.95 on the log scale, or the posterior of
        one is about as wide as its prior.
    """
    opts = deprecated_options(
        "sample_posterior", options, DEFAULT_OPTIONS, method=method, rtol=rtol
    )
    _require("emcee")
    dataset = as_dataset(data, plans, patients)
    shared = check_names("parameters", parameters)
    rnames = check_names("random", random)
    if set(shared) & set(rnames):
        raise ValueError(
            f"{', '.join(sorted(set(shared) & set(rnames)))} cannot be both shared and random"
        )
    if not shared and not rnames:
        raise ValueError("name at least one parameter to sample (parameters= or random=)")
    if rnames and len(dataset.subjects) < 2:
        raise ValueError("random= needs a cohort of at least 2 subjects")
    if not rnames and len(dataset.subjects) > 1:
        raise ValueError(
            "several subjects: name the parameters that vary between them with "
            "random= (hierarchical model), or select one subject"
        )
    chains = check_int("chains", chains, 1, 1000)
    draws = check_int("draws", draws, 10, 10_000_000)
    tune = check_int("tune", tune, 0, 10_000_000)
    rhat_max = check_real("rhat_max", rhat_max, 1.0, 10.0)
    ess_min = check_real("ess_min", ess_min, 0.0, 1e12)
    models = resolve_observation_models(observation_model, dataset.observable_names)
    base = resolve_params(params)
    given = dict(priors or {})

    # Per-subject likelihoods; the sampling vector is [priored quantities..., eta...].
    problems = []
    for s in dataset.subjects:
        sub = (
            dataset
            if len(dataset.subjects) == 1
            else Dataset(dataset.for_subject(s), {s: dataset.plans[s]}, {s: dataset.patients[s]})
        )
        problems.append(SubjectProblem(sub, [*rnames, *shared], [], models, base, {}, {}, opts))
    noise: list[str] = []
    noise_scale: dict[str, float] = {}
    for prob in problems:
        for e in prob.entries:
            if e.kind == "noise" and e.name not in noise:
                noise.append(e.name)
                noise_scale[e.name] = e.initial / 0.1 if e.parameter == "sd" else 1.0
    names = [f"mu[{p}]" for p in rnames] + [f"omega[{p}]" for p in rnames] + shared + noise
    prior_list: list[Prior] = []
    for n in names:
        key = n[3:-1] if n.startswith("mu[") else n
        if n in given or key in given:
            prior_list.append(_as_prior(n, given.get(n, given.get(key))))
        elif n.startswith("omega["):
            prior_list.append(Prior("halfnormal", 1.0))
        elif n.startswith("noise_cv"):
            prior_list.append(Prior("loguniform", 1e-3, 2.0))
        elif n.startswith("noise_sd"):
            prior_list.append(Prior("loguniform", 1e-4 * noise_scale[n], 10 * noise_scale[n]))
        else:
            prior_list.append(default_prior(key, base))
    unknown = sorted(set(given) - set(names) - set(rnames))
    if unknown:
        raise ValueError(
            f"priors name quantities that are not sampled: {', '.join(unknown)}; "
            f"sampled: {', '.join(names)}"
        )
    n_prior = len(names)
    n_r = len(rnames)
    subjects = list(dataset.subjects)
    if rnames:
        names += [f"eta[{p}][{s}]" for s in subjects for p in rnames]
    likes: list[tuple[FastLikelihood, Any]] = []
    for i, prob in enumerate(problems):
        src: list[tuple[str, int]] = []
        for entry_name in [e.name for e in prob.entries]:
            if entry_name in rnames:
                src.append(("r", rnames.index(entry_name)))
            else:
                src.append(("x", names.index(entry_name)))
        likes.append((FastLikelihood(prob), _ThetaMap(src, n_prior, n_r, i)))
    target = _LogPosterior(likes, prior_list, n_prior, {"n": len(subjects)} if rnames else None)

    ndim = len(names)
    nw = walkers if walkers is not None else max(8, 2 * ndim)
    nw = check_int("walkers", nw, max(4, ndim + 1), 100_000)
    nw += nw % 2
    rng = as_generator(seed)
    start = _starting_points(
        dataset,
        shared,
        rnames,
        noise,
        names,
        prior_list,
        n_prior,
        models,
        base,
        rng,
        chains * nw,
        opts,
        target,
    )
    seeds = rng.integers(0, 2**31 - 1, size=chains)
    args = [
        (target, start[c * nw : (c + 1) * nw], int(seeds[c]), tune, draws) for c in range(chains)
    ]
    if client is not None:
        futures = [client.submit(_run_chain, *a, False, pure=False) for a in args]
        outputs = client.gather(futures)
    else:
        outputs = [
            _run_chain(*a, progress, label=f"chain {c + 1}/{chains}") for c, a in enumerate(args)
        ]
    chain = np.concatenate([o[0] for o in outputs], axis=0)  # (chains*walkers, draws, ndim)
    lp = np.concatenate([o[1] for o in outputs], axis=0)
    acceptance = np.concatenate([o[2] for o in outputs])
    post = Posterior(
        names,
        chain,
        lp,
        acceptance,
        chains,
        nw,
        prior_list[:n_prior],
        n_prior,
        rnames,
        shared,
        noise,
        subjects,
        base,
        dataset,
        rhat_max,
        ess_min,
    )
    post._warn()
    return post


class _ThetaMap:
    """Map the sampling vector to one subject's theta (picklable, for Dask)."""

    def __init__(self, src: list[tuple[str, int]], n_prior: int, n_r: int, subject: int) -> None:
        self.src, self.n_prior, self.n_r, self.subject = src, n_prior, n_r, subject

    def __call__(self, x: Array) -> Array:
        out = np.empty(len(self.src))
        for k, (kind, j) in enumerate(self.src):
            if kind == "r":
                eta = x[self.n_prior + self.subject * self.n_r + j]
                out[k] = x[j] + math.exp(x[self.n_r + j]) * eta
            else:
                out[k] = x[j]
        return out


def _starting_points(
    dataset: Dataset,
    shared: list[str],
    rnames: list[str],
    noise: list[str],
    names: list[str],
    priors: list[Prior],
    n_prior: int,
    models: Any,
    base: Parameters,
    rng: np.random.Generator,
    n: int,
    options: SolverOptions,
    target: _LogPosterior,
) -> Array:
    """Return the starting walkers.

    They are a Gaussian ball about the maximum-likelihood fit (one subject), or about the
    documented values (cohort); points with zero posterior density are redrawn.
    """
    ndim = len(names)
    centre = np.zeros(ndim)
    scale = np.full(ndim, 0.05)
    if not rnames:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                # The fit's own (tighter) rtol, as fit() defaults to it.
                mle = fit(
                    dataset,
                    parameters=shared,
                    observation_model=models,
                    params=base,
                    options=dataclasses.replace(options, rtol=min(options.rtol, 1e-8)),
                )
                centre = np.log([mle.estimates[nm] for nm in names])
                sd = np.sqrt(np.clip(np.diag(mle.covariance.to_numpy()), 0, None))
                scale = np.where(np.isfinite(sd) & (sd > 0), np.minimum(0.3 * sd, 0.5), 0.05)
            except Exception:  # a failing fit: start from the priors' documented values
                centre = np.array(
                    [p.sample(rng, 1)[0] for p in priors] + [0.0] * (ndim - len(priors))
                )
    else:
        for k, nm in enumerate(names[:n_prior]):
            if nm.startswith("mu["):
                centre[k] = math.log(base[nm[3:-1]])
            elif nm.startswith("omega["):
                centre[k] = math.log(0.3)
            elif nm in shared:
                centre[k] = math.log(base[nm])
            else:
                centre[k] = math.log(0.1) if nm.startswith("noise_cv") else 0.0
        for k, nm in enumerate(names[:n_prior]):
            if nm.startswith("noise_sd"):
                pr = priors[k]
                centre[k] = 0.5 * (math.log(pr.args[0]) + math.log(pr.args[1])) - 2.0
        scale[n_prior:] = 0.3
    out = np.empty((n, ndim))
    for i in range(n):
        for _ in range(200):
            x = centre + scale * rng.standard_normal(ndim)
            if math.isfinite(target(x)):
                break
        else:
            raise RuntimeError(
                "could not find starting points with a finite posterior density;"
                " give priors or params closer to the data"
            )
        out[i] = x
    return out


def _run_chain(
    target: _LogPosterior,
    start: Array,
    seed: int,
    tune: int,
    draws: int,
    progress: bool | None,
    label: str = "chain",
) -> tuple[Array, Array, Array]:
    emcee = _require("emcee")
    nw, ndim = start.shape
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(nw, ndim, target, moves=moves)
    sampler.random_state = np.random.RandomState(seed).get_state()
    steps = sampler.sample(start, iterations=tune + draws)
    for _ in progress_bar(
        steps, total=tune + draws, desc=f"sample_posterior {label}", progress=progress
    ):
        pass
    chain = sampler.get_chain(discard=tune)  # (draws, walkers, ndim)
    lp = sampler.get_log_prob(discard=tune)
    return (
        np.swapaxes(chain, 0, 1),
        np.swapaxes(lp, 0, 1),
        np.asarray(sampler.acceptance_fraction, dtype=np.float64),
    )


class Posterior:
    """Posterior draws of :func:`sample_posterior` with diagnostics.

    Attributes
    ----------
    names : list of str
        Sampled quantities (natural scale): parameters, ``noise_cv[...]``, and for a cohort
        ``mu[p]`` (typical value), ``omega[p]`` (between-subject SD of log p) and
        ``eta[p][subject]`` (standardised random effects).
    samples : numpy.ndarray
        Draws on the natural scale (eta as is), shape (chains x walkers, draws, quantities).
    summary : pandas.DataFrame
        Mean, sd, median, 2.5% and 97.5% quantiles, R-hat, bulk and tail ESS per quantity.
    converged : bool
        Every R-hat < ``rhat_max`` and every ESS > ``ess_min``.
    identifiable : bool
        False when two quantities are correlated beyond 0.95 (log scale) or a posterior is
        about as wide as its prior; :attr:`identifiability` says which.
    acceptance : numpy.ndarray
        Acceptance fraction per walker.
    """

    def __init__(
        self,
        names: list[str],
        chain: Array,
        lp: Array,
        acceptance: Array,
        chains: int,
        walkers: int,
        priors: list[Prior],
        n_prior: int,
        random: list[str],
        shared: list[str],
        noise: list[str],
        subjects: list[str],
        base: Parameters,
        data: Dataset,
        rhat_max: float,
        ess_min: float,
    ) -> None:
        self.names = names
        self.log_samples = chain
        self.log_prob = lp
        self.acceptance = acceptance
        self.chains, self.walkers = chains, walkers
        self.random, self.shared, self.noise, self.subjects = random, shared, noise, subjects
        self.base, self.data = base, data
        self.priors = dict(zip(names[:n_prior], priors, strict=True))
        self.n_prior = n_prior
        self.rhat_max, self.ess_min = rhat_max, ess_min
        self.samples = chain.copy()
        self.samples[..., :n_prior] = np.exp(chain[..., :n_prior])
        idata = self.to_arviz()
        az = _require("arviz")
        rhat = az.rhat(idata)
        ess_b = az.ess(idata, method="bulk")
        ess_t = az.ess(idata, method="tail")
        flat = self.samples.reshape(-1, len(names))
        self.summary = pd.DataFrame(
            {
                "mean": flat.mean(axis=0),
                "sd": flat.std(axis=0, ddof=1),
                "median": np.median(flat, axis=0),
                "2.5%": np.quantile(flat, 0.025, axis=0),
                "97.5%": np.quantile(flat, 0.975, axis=0),
                "r_hat": [float(rhat[_var(n)]) for n in names],
                "ess_bulk": [float(ess_b[_var(n)]) for n in names],
                "ess_tail": [float(ess_t[_var(n)]) for n in names],
            },
            index=pd.Index(names, name="name"),
        )
        self.rhat = float(self.summary["r_hat"].max())
        self.ess = float(self.summary[["ess_bulk", "ess_tail"]].to_numpy().min())
        self.converged = bool(self.rhat < rhat_max and self.ess > ess_min)
        self.identifiability: list[str] = []
        logs = chain[..., :n_prior].reshape(-1, n_prior)
        if n_prior > 1:
            corr = np.corrcoef(logs.T)
            for a in range(n_prior):
                for b in range(a + 1, n_prior):
                    if abs(corr[a, b]) > 0.95:
                        self.identifiability.append(
                            f"{names[a]} and {names[b]} cannot be told apart (posterior "
                            f"correlation of their logs {corr[a, b]:+.3f})"
                        )
        for k, n in enumerate(names[:n_prior]):
            if logs[:, k].std() > 0.5 * self.priors[n].sd_log() and not n.startswith("omega["):
                self.identifiability.append(
                    f"the data barely inform {n}: its posterior is more than half as wide as its "
                    f"prior {self.priors[n]!r}"
                )
        self.identifiable = not self.identifiability

    def _warn(self) -> None:
        if not self.converged:
            warnings.warn(
                f"sample_posterior did not converge: max R-hat {self.rhat:.4f} (needs < "
                f"{self.rhat_max:g}), min ESS {self.ess:.0f} (needs > {self.ess_min:g}); "
                "run more draws/tune steps or check identifiability",
                ConvergenceWarning,
                stacklevel=3,
            )
        if not self.identifiable:
            warnings.warn(
                "sample_posterior: " + "; ".join(self.identifiability),
                NonIdentifiableWarning,
                stacklevel=3,
            )

    def to_arviz(self) -> Any:
        """ArviZ ``InferenceData``: one chain per ensemble.

        A chain holds its walkers' traces one after the other (walker 0's draws, then walker
        1's, ...), so that R-hat compares ensembles (and, split, halves of an ensemble's
        walkers) and the ESS follows each walker's autocorrelation.
        """
        az = _require("arviz")
        c, w = self.chains, self.walkers
        per_chain = self.samples.reshape(c, w * self.samples.shape[1], len(self.names))
        posterior = {_var(n): per_chain[..., k] for k, n in enumerate(self.names)}
        lp = self.log_prob.reshape(c, -1)
        return az.from_dict(
            posterior=posterior,
            sample_stats={"lp": lp},
            attrs={
                "sampler": "emcee (DE + DE snooker moves)",
                "ensembles": self.chains,
                "walkers_per_ensemble": self.walkers,
            },
        )

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Equal-tailed credible interval of one quantity."""
        flat = self.samples[..., self.names.index(name)].ravel()
        a = (1 - level) / 2
        return float(np.quantile(flat, a)), float(np.quantile(flat, 1 - a))

    def parameter_draws(
        self,
        n: int,
        seed: int | np.random.Generator | None = 0,
        patient: Patient | None = None,
        uncertainty: bool = True,
    ) -> list[Parameters]:
        """Draw parameter sets from the posterior.

        For one subject, the subject's parameters; for a cohort, those of new patients from the
        posterior population distribution (mu, omega draws, then a new eta).
        """
        del patient, uncertainty  # covariates enter through the simulation's Patient
        rng = as_generator(seed)
        flat = self.samples.reshape(-1, len(self.names))
        pick = rng.integers(0, len(flat), size=check_int("n", n, 1, 10_000_000))
        out = []
        for k in pick:
            row = flat[k]
            values = {p: float(row[self.names.index(p)]) for p in self.shared}
            for p in self.random:
                mu = math.log(row[self.names.index(f"mu[{p}]")])
                om = row[self.names.index(f"omega[{p}]")]
                values[p] = math.exp(mu + om * rng.standard_normal())
            out.append(self.base.update(values))
        return out

    def predict(
        self,
        plan: Schedule,
        patient: Patient | None = None,
        days: Any = 365,
        *,
        observables: Sequence[str] = ("total_collagen",),
        n: int = 500,
        seed: int | None = 0,
        quantiles: Sequence[float] = (0.025, 0.25, 0.5, 0.75, 0.975),
        **options: Any,
    ) -> PredictionBands:
        """Posterior predictive bands of any plan (quantiles over simulated draws)."""
        return predictive_bands(
            self.parameter_draws(n, seed), plan, patient, days, observables, quantiles, **options
        )

    def __repr__(self) -> str:
        return (
            f"<Posterior: {len(self.names)} quantities, {self.chains} ensembles x "
            f"{self.walkers} walkers x {self.samples.shape[1]} draws; max R-hat "
            f"{self.rhat:.4f}, min ESS {self.ess:.0f}"
            f"{'' if self.converged else ' (NOT converged)'}>"
        )


def _var(name: str) -> str:
    return name
