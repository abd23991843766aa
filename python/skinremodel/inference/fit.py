"""Fitting MN-14 to patient and cohort time series by maximum likelihood: :func:`fit`.

Each start solves the problem of ``problem.py`` (``scipy.optimize.least_squares`` with the
engine's exact Jacobian); the best start becomes a :class:`~skinremodel.FitResult`
(``fit_result.py``). The method is described in ``docs/fitting.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from .._core import SolverError
from .._validation import check_int
from ..engine.options import SolverOptions, deprecated_options
from ..engine.solver import resolve_params
from ..model.parameters import Parameters
from ..progress import logger, progress_bar
from .dataset import Dataset
from .fit_result import FitResult
from .observation_model import resolve_observation_models
from .problem import FitProblem, _names

__all__ = ["fit", "FIT_OPTIONS"]

#: The integrator settings of a fit unless given: rtol 1e-8, because the sensitivities are
#: integrated on the state method's steps without their own error control (docs/fitting.md).
FIT_OPTIONS = SolverOptions(rtol=1e-8)


def fit(
    data: Dataset | pd.DataFrame,
    plans: Any = None,
    patients: Any = None,
    parameters: Sequence[str] = (),
    *,
    per_subject: Sequence[str] = (),
    observation_model: Any = None,
    params: Parameters | Mapping[str, float] | None = None,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    n_starts: int = 1,
    seed: int | None = 0,
    profile: Iterable[str] = (),
    options: SolverOptions | None = None,
    max_nfev: int | None = None,
    progress: bool | None = None,
    method: str | None = None,
    rtol: float | None = None,
    atol: Any = None,
) -> FitResult:
    """Fit model parameters to observed time series of one subject or a cohort.

    Maximises the Gaussian likelihood of the observations over the log-parameters, within the
    parameters' domains, with ``scipy.optimize.least_squares`` and the Jacobian of the engine's
    forward sensitivities. Parameters may be shared by the cohort or estimated per subject;
    noise parameters of the observation models are estimated alongside. See
    ``docs/fitting.md``.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame
        Observations (see :class:`Dataset`); with a DataFrame, give ``plans`` (and
        ``patients``) too.
    plans, patients : optional
        As for :class:`Dataset` (ignored when ``data`` is a Dataset).
    parameters : sequence of str
        Parameters shared by every subject.
    per_subject : sequence of str
        Parameters estimated separately for each subject (named ``"s_w[A]"`` in the result).
    observation_model : str, ObservationModel or mapping, optional
        Noise model of rows without a known ``sd``: ``"additive"``, ``"proportional"``
        (default) or ``"combined"``, an :class:`ObservationModel`, or a mapping from
        observable to either.
    params : Parameters or mapping, optional
        Values of everything not estimated (default: the shipped defaults).
    initial : mapping, optional
        Starting values by name (``"k_mat"``, ``"s_w"`` for every subject, ``"s_w[A]"``,
        ``"noise_cv[elasticity]"``); default: ``params``, 0.1 for a noise CV and 10% of the
        observable's mean for a noise SD.
    bounds : mapping, optional
        (lower, upper) by name, within the parameter's domain (default: the domain).
    n_starts : int
        Local fits from the starting values plus ``n_starts - 1`` points of a Latin hypercube
        (seeded) in log space; the best likelihood wins.
    seed : int, optional
        Seed of the Latin hypercube.
    profile : iterable of str
        Estimated names to compute 95% profile-likelihood intervals for.
    options : SolverOptions, optional
        Integrator settings (default :data:`FIT_OPTIONS`: ``SolverOptions(rtol=1e-8)``, because
        the sensitivities are integrated on the state method's steps without their own error
        control, see ``docs/fitting.md``). They are kept in the :class:`FitResult` and its file.
    max_nfev : int, optional
        Bound on evaluations per local fit (default: scipy's, 100 per estimated quantity).
    progress : bool, optional
        Progress bars over the starts and the profiles (default: shown in a terminal or
        notebook only when there is more than one start or a profile; see
        :mod:`skinremodel.progress`). Each start's result is logged at INFO level.
    method, rtol, atol : optional
        Deprecated (a DeprecationWarning): give ``options=SolverOptions(...)``.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError, TypeError
        Invalid data, names, bounds or starting values (the message names them).

    Examples
    --------
    >>> import pandas as pd, skinremodel as sr
    >>> plan = sr.Schedule.regular(4, every_days=30)
    >>> truth = sr.simulate(plan, days=180, params={"s_w": 0.05}, t_eval=[45, 120, 180])
    >>> obs = pd.DataFrame({"subject": "A", "day": truth.t, "observable": "total_collagen",
    ...                     "value": truth["total_collagen"], "sd": 0.01})
    >>> result = sr.fit(obs, plan, parameters=["s_w"])
    >>> round(result.estimates["s_w"], 4)
    0.05
    """
    opts = deprecated_options("fit", options, FIT_OPTIONS, method=method, rtol=rtol, atol=atol)
    if isinstance(data, Dataset):
        dataset = data
    else:
        if plans is None:
            raise ValueError(
                "give plans (a Schedule per subject, or one for all) with a "
                "DataFrame of observations, or pass a skinremodel.Dataset"
            )
        dataset = Dataset(data, plans, patients)
    parameters = _names("parameters", parameters)
    per_subject = _names("per_subject", per_subject)
    both = sorted(set(parameters) & set(per_subject))
    if both:
        raise ValueError(f"{', '.join(both)} cannot be both shared and per subject")
    if not parameters and not per_subject:
        raise ValueError("name at least one parameter to estimate (parameters= or per_subject=)")
    n_starts = check_int("n_starts", n_starts, 1, 10_000)
    models = resolve_observation_models(observation_model, dataset.observable_names)
    problem = FitProblem(
        dataset,
        parameters,
        per_subject,
        models,
        resolve_params(params),
        dict(initial or {}),
        dict(bounds or {}),
        opts,
    )
    profile = _names("profile", profile)
    for name in profile:
        if name not in problem.names:
            raise ValueError(
                f"profile: {name!r} is not estimated; estimated: {', '.join(problem.names)}"
            )

    starts = [problem.theta0]
    if n_starts > 1:
        sampler = qmc.LatinHypercube(d=len(problem.names), seed=seed)
        lo = np.maximum(problem.lower, problem.theta0 - math.log(10.0))
        hi = np.minimum(problem.upper, problem.theta0 + math.log(10.0))
        starts += list(qmc.scale(sampler.random(n_starts - 1), lo, hi))
    least_squares_options: dict[str, Any] = {
        "max_nfev": max_nfev,
        "ftol": 1e-10,
        "xtol": 1e-10,
        "gtol": 1e-10,
    }
    runs: list[dict[str, Any]] = []
    show = progress if progress is not None else (None if n_starts > 1 else False)
    with progress_bar(len(starts), "fit: starts", "start", show) as bar:
        for k, start in enumerate(starts):
            try:
                sol, full = problem.solve(start, **least_squares_options)
            except SolverError as exc:  # a start in a region where the model cannot be solved
                runs.append(
                    {
                        "start": k,
                        "nll": math.inf,
                        "status": -100,
                        "message": f"solver error: {exc}",
                        "nfev": 0,
                    }
                )
                logger.info("fit: start %d failed: %s", k, exc)
                bar.update(1)
                continue
            theta = full(sol.x)
            runs.append(
                {
                    "start": k,
                    "nll": problem.negative_log_likelihood(theta),
                    "status": int(sol.status),
                    "message": str(sol.message),
                    "nfev": int(sol.nfev),
                    "theta": theta,
                }
            )
            logger.info(
                "fit: start %d: nll %.6g after %d evaluations (%s)",
                k,
                runs[-1]["nll"],
                runs[-1]["nfev"],
                runs[-1]["message"],
            )
            bar.update(1)
    finite = [r for r in runs if math.isfinite(r["nll"])]
    if not finite:
        raise SolverError(f"every start failed: {[r['message'] for r in runs]}")
    best = min(finite, key=lambda r: r["nll"])
    return FitResult.from_problem(problem, best["theta"], runs, profile, progress=progress)
