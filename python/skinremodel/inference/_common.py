"""Shared pieces of the inference sub-package: warnings, progress bars, seeds, fast likelihoods."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from .._core import SolverError
from ..model.clinical_scales import ORDINAL_SCALES, ordinal_log_likelihood
from ..model.parameters import _INDEX, _TABLE, Parameters
from .dataset import Dataset
from .problem import _LATENT, _SPREAD, FitProblem, _names

__all__ = [
    "InferenceWarning",
    "ConvergenceWarning",
    "NonIdentifiableWarning",
    "progress_bar",
    "FastLikelihood",
    "SubjectProblem",
    "as_generator",
    "as_dataset",
    "check_names",
]

Array = NDArray[np.float64]
T = TypeVar("T")


class InferenceWarning(UserWarning):
    """Base class of the warnings of :mod:`skinremodel.inference`."""


class ConvergenceWarning(InferenceWarning):
    """A fit or sampler did not converge: the result is flagged and must not be trusted."""


class NonIdentifiableWarning(InferenceWarning):
    """The data do not determine some parameters (or combinations of them)."""


def progress_bar(
    iterable: Iterable[T], *, total: int | None, desc: str, progress: bool | None
) -> Iterator[T]:
    """Wrap ``iterable`` in a tqdm bar.

    ``progress=None`` shows the bar only when standard error is a terminal (quiet in scripts,
    tests and CI logs); True always, False never.
    """
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show:
        yield from iterable
        return
    from tqdm.auto import tqdm

    yield from tqdm(iterable, total=total, desc=desc, leave=False)


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """Return a numpy Generator from a seed (None: fresh entropy, not reproducible)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


class SubjectProblem(FitProblem):
    """A :class:`FitProblem` whose parameter sets are built without re-validating every value.

    Only the estimated values are checked (against their domains); the rest come from ``base``,
    validated once. The numbers are those of ``FitProblem``.
    """

    def params_for(self, subject: str, theta: Array) -> Any:
        """Nominal parameters of one subject at theta."""
        arr = self.base._values.copy()
        for i, e in enumerate(self.entries):
            if e.kind == "shared" or (e.kind == "subject" and e.subject == subject):
                arr[_INDEX[e.parameter]] = _TABLE[e.parameter].check(math.exp(theta[i]))
        arr.setflags(write=False)
        out = object.__new__(Parameters)
        out._values = arr
        return out


class FastLikelihood:
    """-log L of a :class:`FitProblem` at theta without sensitivities (for samplers).

    The same numbers as ``FitProblem.negative_log_likelihood`` (Gaussian rows with all
    constants, -log p of ordinal grades), at the cost of plain simulations.
    """

    def __init__(self, problem: FitProblem) -> None:
        self.problem = problem
        obs = problem.data.observations
        self._y = obs["value"].to_numpy(dtype=np.float64)
        self._names = obs["observable"].to_numpy()
        days_all = obs["day"].to_numpy(dtype=np.float64)
        ordinal = problem._ordinal
        self._subjects: list[
            tuple[str, NDArray[np.intp], NDArray[np.intp], Array, NDArray[Any]]
        ] = []
        for subject in problem.data.subjects:
            rows = np.flatnonzero((obs["subject"] == subject).to_numpy())
            ordn = rows[ordinal[rows]]
            days = np.concatenate([days_all[rows], days_all[ordn], days_all[ordn]])
            names = np.concatenate(
                [
                    self._names[rows],
                    np.array([f"{o}{_LATENT}" for o in self._names[ordn]], dtype=object),
                    np.array([f"{o}{_SPREAD}" for o in self._names[ordn]], dtype=object),
                ]
            )
            self._subjects.append((subject, rows, ordn, days, names))
        self._gauss = ~ordinal
        self._noise_rows = {
            o: problem._model_rows[self._names[problem._model_rows] == o]
            for o in problem.data.observable_names
        }
        self._sd = problem._sd

    def predictions(self, theta: Array) -> tuple[Array, Array, Array]:
        """Predictions f, latent severities z and spreads s of every row at theta."""
        n = len(self._y)
        f, z, s = np.zeros(n), np.zeros(n), np.ones(n)
        for subject, rows, ordn, days, names in self._subjects:
            fs, _ = self.problem.predict_subject(subject, theta, days, names, [])
            k, m = len(rows), len(ordn)
            f[rows] = fs[:k]
            z[ordn], s[ordn] = fs[k : k + m], fs[k + m :]
        return f, z, s

    def __call__(self, theta: Array) -> float:
        """Negative log-likelihood at theta (inf where the model cannot be solved)."""
        try:
            f, z, spread = self.predictions(theta)
        except SolverError:
            return math.inf
        problem = self.problem
        sigma = np.where(np.isfinite(self._sd), self._sd, 0.0)
        for o, rows in self._noise_rows.items():
            if not len(rows):
                continue
            a, b, _, _ = problem._noise(theta, o)
            sigma[rows] = np.sqrt(a * a + (b * f[rows]) ** 2 + problem._sigma_floor[rows] ** 2)
        g = self._gauss
        r = (self._y[g] - f[g]) / sigma[g]
        nll = float(
            0.5 * np.sum(r * r) + np.sum(np.log(sigma[g])) + 0.5 * len(r) * math.log(2 * math.pi)
        )
        for o in dict.fromkeys(self._names[~g]):
            rows = np.flatnonzero(self._names == o)
            grades = ORDINAL_SCALES[o].grades
            assert grades is not None
            logp, _, _ = ordinal_log_likelihood(
                self._y[rows],
                z[rows],
                np.zeros((len(rows), 0)),
                spread[rows],
                np.zeros((len(rows), 0)),
                grades,
            )
            nll -= float(np.sum(logp))
        return nll if math.isfinite(nll) else math.inf


def check_names(what: str, names: Sequence[str]) -> list[str]:
    """Return a list of distinct parameter names (unknown names raise with suggestions)."""
    return _names(what, names)


def as_dataset(data: Any, plans: Any, patients: Any) -> Dataset:
    """Return a :class:`Dataset` from one, or from observations with plans (and patients)."""
    if isinstance(data, Dataset):
        return data
    if plans is None:
        raise ValueError("give plans with a DataFrame of observations, or pass a Dataset")
    return Dataset(data, plans, patients)
