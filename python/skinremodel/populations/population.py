"""Virtual populations: sampled patients and parameter variability, seeded and reproducible."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._validation import check_int, check_real
from ..engine.batch import _PROGRESS_LABEL, simulate_many
from ..engine.batch_result import BatchResult
from ..engine.options import SolverOptions
from ..engine.solver import resolve_params
from ..limits import CORE_LIMITS, MAX_OUTCOME_PATIENTS, MAX_POPULATION, check_count, limit_range
from ..model.metrics import metrics_of_kind
from ..model.parameters import Parameters, check_parameter_rows
from ..model.variables import did_you_mean
from ..patients.patient import (
    _DIABETES,
    _VITAMIN_C,
    FLAG_COVARIATES,
    Patient,
    patient_codes,
    patients_from_codes,
)
from ..plans.schedule import Schedule, as_schedule
from ..progress import progress_bar, progress_enabled
from .bands import PredictionBands
from .quantile_sketch import QuantileSketch

__all__ = ["Population"]

#: The ages a patient may have: the core's bound "age".
_AGE_RANGE = (CORE_LIMITS["age"].low, CORE_LIMITS["age"].high)
_CATEGORICAL: dict[str, tuple[Any, ...]] = {
    "diabetes": _DIABETES,
    "vitamin_c": _VITAMIN_C,
    "phototype": tuple(
        range(int(CORE_LIMITS["phototype"].low), int(CORE_LIMITS["phototype"].high) + 1)
    ),
}
_FLAGS: tuple[str, ...] = FLAG_COVARIATES
_MAX_REDRAWS = 100
#: Patients per block when streaming prediction bands.
BAND_BLOCK = 4096


class Population:
    """A virtual population: patients and parameter sets sampled from stated distributions.

    Samples are drawn once, at construction, with :func:`numpy.random.default_rng` (seed):
    the same arguments and seed give the same population, bit for bit. The order of the draws is
    fixed: ages, then the covariates in the order of :class:`Patient`'s fields, then the
    parameter variability.

    Parameters
    ----------
    size : int
        Number of virtual patients (1 to 10 000 000).
    age : float or tuple
        A fixed age, ``("normal", mean, sd)`` (truncated to the model's age range, 18-100
        years, by redrawing) or ``("uniform", low, high)`` within it. Default: normal, mean 45,
        sd 12.
    covariates : mapping, optional
        Frequencies of the covariates; those not given take the :class:`Patient` default.
        ``diabetes``, ``vitamin_c`` and ``phototype``: a fixed value, or a mapping of value to
        frequency (summing to 1), e.g. ``{"none": 0.9, "controlled": 0.07, "poor": 0.03}``.
        ``smoker``, ``photoaged``, ``reactive_skin``, ``acne_scars``: a fixed bool, or the
        probability of True. (Patients of a population have no medical history: they are not
        screened.)
    variability : mapping of str to float, optional
        Log-normal inter-individual variability of parameters: ``{name: omega}``, where omega is
        the standard deviation of the log of the parameter (about its coefficient of variation
        when small). A patient's value is ``nominal * exp(omega * eta)`` with ``eta`` standard
        normal, so the nominal value is the median. Draws outside a parameter's allowed domain are
        redrawn (a truncated log-normal).
    correlation : array_like or DataFrame, optional
        Correlation matrix of the ``eta`` of the varied parameters, in the order of
        ``variability`` (or a DataFrame labelled by parameter names). Must be symmetric, with
        unit diagonal and positive definite; applied through its Cholesky factor.
    params : Parameters or mapping, optional
        Nominal parameters (default: the shipped set).
    seed : int or numpy.random.Generator, optional
        Seed of the draws. None draws fresh entropy (not reproducible).

    Examples
    --------
    >>> import skinremodel as sr
    >>> pop = sr.Population(200, age=("uniform", 30, 65),
    ...                     covariates={"smoker": 0.2, "diabetes": {"none": 0.9, "poor": 0.1}},
    ...                     variability={"s_w": 0.3, "k_mat": 0.2}, seed=1)
    >>> bands = pop.simulate(sr.Schedule.regular(3, every_weeks=4), days=180)
    >>> list(bands.columns)
    ['5%', '25%', '50%', '75%', '95%']
    """

    def __init__(
        self,
        size: int,
        *,
        age: float | tuple[Any, ...] = ("normal", 45.0, 12.0),
        covariates: Mapping[str, Any] | None = None,
        variability: Mapping[str, float] | None = None,
        correlation: ArrayLike | pd.DataFrame | None = None,
        params: Parameters | Mapping[str, float] | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.size = check_int("size", size, 1, MAX_POPULATION)
        self.nominal = resolve_params(params)
        self.age_spec = _check_age_spec(age)
        self.covariate_spec = _check_covariates(covariates or {})
        self.variability = _check_variability(variability or {})
        self.correlation = _check_correlation(correlation, tuple(self.variability))
        if isinstance(seed, np.random.Generator):
            self.seed: int | None = None
            rng = seed
        else:
            self.seed = None if seed is None else check_int("seed", seed, 0, 2**63 - 1)
            rng = np.random.default_rng(self.seed)

        self.covariates = self._sample_covariates(rng)
        # Only the varied columns are stored (8 bytes per varied parameter and patient); the
        # full rows are built on demand, a block at a time when simulating.
        self._varied = self._sample_parameters(rng)
        self._varied.setflags(write=False)
        self._patients: list[Patient] | None = None

    # ------------------------------------------------------------------------------ sampling
    def _sample_covariates(self, rng: np.random.Generator) -> pd.DataFrame:
        n = self.size
        columns: dict[str, Any] = {"age": _sample_age(self.age_spec, n, rng)}
        default = Patient()
        for field in ("diabetes", "vitamin_c", "phototype", *_FLAGS):
            spec = self.covariate_spec.get(field, getattr(default, field))
            if field in _CATEGORICAL and isinstance(spec, dict):
                values = list(spec)
                picks = rng.choice(len(values), size=n, p=list(spec.values()))
                columns[field] = (
                    _text_column(values, picks) if field != "phototype" else np.array(values)[picks]
                )
            elif field in _FLAGS and not isinstance(spec, bool):
                columns[field] = rng.random(n) < spec
            elif isinstance(spec, str):
                columns[field] = _text_column([spec], np.zeros(n, dtype=np.int8))
            else:
                columns[field] = np.full(n, spec)
        frame = pd.DataFrame(columns)
        frame["phototype"] = frame["phototype"].astype(np.int64)
        for flag in _FLAGS:
            frame[flag] = frame[flag].astype(bool)
        frame.index.name = "patient"
        return frame

    def _varied_columns(self) -> NDArray[np.intp]:
        names = self.nominal.names
        return np.array([names.index(k) for k in self.variability], dtype=np.intp)

    def _sample_parameters(self, rng: np.random.Generator) -> NDArray[np.float64]:
        """Draw the varied parameters' values, shape (size, number varied)."""
        nominal = self.nominal.values_array
        cols = self._varied_columns()
        values = np.tile(nominal[cols], (self.size, 1))
        if not self.variability:
            return values
        omega = np.array(list(self.variability.values()))
        chol = np.linalg.cholesky(self.correlation)
        todo = np.arange(self.size)
        for _ in range(_MAX_REDRAWS):
            # In blocks of rows: the same draws as one call, without its temporaries.
            for lo in range(0, todo.size, BAND_BLOCK * 16):
                rows = todo[lo : lo + BAND_BLOCK * 16]
                eta = rng.standard_normal((rows.size, len(cols))) @ chol.T
                values[rows] = nominal[cols] * np.exp(omega * eta)
            todo = todo[~_within_domain(values[todo], cols)]
            if todo.size == 0:
                return values
        check_parameter_rows(self._full_rows(values))  # names the parameter leaving its domain
        raise AssertionError("unreachable")  # pragma: no cover

    def _full_rows(self, varied: NDArray[np.float64]) -> NDArray[np.float64]:
        rows = np.tile(self.nominal.values_array, (len(varied), 1))
        rows[:, self._varied_columns()] = varied
        return rows

    @property
    def params_matrix(self) -> NDArray[np.float64]:
        """Every parameter of every patient, shape (size, parameters); built on each access."""
        rows = self._full_rows(self._varied)
        rows.setflags(write=False)
        return rows

    # ------------------------------------------------------------------------------ access
    @property
    def patients(self) -> list[Patient]:
        """The sampled patients as :class:`Patient` objects."""
        if self._patients is None:
            self._patients = patients_from_codes(patient_codes(self.covariates))
        return self._patients

    @property
    def parameters(self) -> pd.DataFrame:
        """Sampled values of the varied parameters, one row per patient."""
        frame = pd.DataFrame(np.array(self._varied), columns=list(self.variability))
        frame.index.name = "patient"
        return frame

    def to_pandas(self) -> pd.DataFrame:
        """Covariates and varied parameters of every patient, one row each."""
        return pd.concat([self.covariates, self.parameters], axis=1)

    def __len__(self) -> int:
        return self.size

    # ------------------------------------------------------------------------------ simulation
    def outcomes(
        self,
        plan: Schedule | ArrayLike,
        days: float | ArrayLike = 365,
        *,
        options: SolverOptions | None = None,
        **kwargs: Any,
    ) -> BatchResult:
        """Simulate every patient on one plan; the per-patient metrics of :func:`simulate_many`.

        ``options`` (:class:`SolverOptions`) and the keywords are passed on (``metrics``,
        ``t_eval``, ``threads``, ``client``, ``chunk_size``, ``progress``: a progress bar, shown
        by default in a terminal or notebook only; the shorthands ``method``, ``rtol``, ``atol``,
        ``max_steps``).
        """
        if "cross" in kwargs or "patients" in kwargs or "params" in kwargs:
            raise TypeError("a population fixes patients and params; cross is not available")
        check_count(
            "Population.outcomes: patients",
            self.size,
            MAX_OUTCOME_PATIENTS,
            "use Population.simulate, which streams, for bands of larger populations",
        )
        token = _PROGRESS_LABEL.set(f"population of {self.size}")
        try:
            return simulate_many(
                as_schedule(plan),
                self.covariates,
                self.params_matrix,
                days,
                options=options,
                **kwargs,
            )
        finally:
            _PROGRESS_LABEL.reset(token)

    def simulate(
        self,
        plan: Schedule | ArrayLike,
        days: float | ArrayLike = 365,
        *,
        observables: str | Iterable[str] = ("total_collagen",),
        quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
        options: SolverOptions | None = None,
        **kwargs: Any,
    ) -> PredictionBands:
        """Prediction bands: quantiles over the population of observables on every output day.

        Parameters
        ----------
        plan : Schedule or list of days
        days : float or array_like
            Horizon (daily output) or output days, as in :func:`simulate_many`.
        observables : str or iterable of str
            States or observables.
        quantiles : sequence of float
            Probabilities in (0, 1), e.g. (0.05, 0.5, 0.95).
        options : SolverOptions, optional
            The integrator's settings, as in :func:`simulate_many`.
        **kwargs
            Passed to :func:`simulate_many` (``threads``, ``client``, ``progress``, the
            shorthands ``method``, ``rtol``, ...). ``progress=False`` silences the progress bar,
            which is shown by default in a terminal or notebook
            (:func:`skinremodel.progress.set_progress`).

        Returns
        -------
        PredictionBands
            A DataFrame indexed by (observable, day) with one column per quantile ("5%", ...);
            ``bands.plot()`` draws the bands and the median. Failed simulations (if any) are
            left out and counted in ``bands.attrs["n_failed"]``. Patients are simulated in
            blocks and summarised in bounded memory: the quantiles are exactly numpy's up to
            2048 patients (``bands.attrs["exact"]``), and within a rank error of 0.6% beyond
            (``quantile_sketch.py``, ``docs/limits.md``).
        """
        names = (observables,) if isinstance(observables, str) else tuple(observables)
        per_day = metrics_of_kind("day")
        for name in names:
            if name not in per_day:
                raise ValueError(
                    f"observables must be states or observables, got {name!r}"
                    f"{did_you_mean(str(name), per_day)}; use "
                    "Population.outcomes for per-session metrics"
                )
        qs = _check_quantiles(quantiles)
        schedule = as_schedule(plan)
        if "cross" in kwargs or "patients" in kwargs or "params" in kwargs:
            raise TypeError("a population fixes patients and params; cross is not available")
        # Streamed: each block of patients is simulated, added to the sketches and dropped, so
        # memory does not grow with the population (quantile_sketch.py, docs/limits.md).
        sketches: dict[str, QuantileSketch] = {}
        n_failed = 0
        res: BatchResult | None = None
        # One bar for the whole population; the blocks' own bars stay off.
        show = progress_enabled(kwargs.pop("progress", None))
        with progress_bar(self.size, f"population of {self.size}", "item", show) as bar:
            for start in range(0, self.size, BAND_BLOCK):
                stop = min(self.size, start + BAND_BLOCK)
                res = simulate_many(
                    schedule,
                    self.covariates.iloc[start:stop],
                    self._full_rows(self._varied[start:stop]),
                    days,
                    metrics=names,
                    progress=False,
                    options=options,
                    **kwargs,
                )
                ok = ~res.failed
                n_failed += res.n_failed
                for name in names:
                    sketch = sketches.setdefault(name, QuantileSketch(len(res.days)))
                    sketch.add(res.values(name)[ok])
                bar.update(stop - start)
        assert res is not None  # size >= 1
        return PredictionBands.from_quantiles(
            {name: sketches[name].quantiles(qs) for name in names},
            res.days,
            qs,
            plan=schedule,
            horizon=res.horizon,
            n_patients=self.size,
            n_failed=n_failed,
            exact=all(s.exact for s in sketches.values()),
        )

    # ------------------------------------------------------------------------------ protocol
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return (
            self.size == other.size
            and self.nominal == other.nominal
            and self.age_spec == other.age_spec
            and self.covariate_spec == other.covariate_spec
            and self.variability == other.variability
            and np.array_equal(self.correlation, other.correlation)
            and self.seed == other.seed
            and self.covariates.equals(other.covariates)
            and np.array_equal(self._varied, other._varied)
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_patients"] = None  # rebuilt on demand
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._varied.setflags(write=False)

    def __repr__(self) -> str:
        varied = ", ".join(f"{k} (omega {v:g})" for k, v in self.variability.items()) or "none"
        return (
            f"<Population: {self.size} patients, age {self.age_spec}, "
            f"variability: {varied}, seed {self.seed}>"
        )


def _text_column(values: list[Any], picks: NDArray[Any]) -> Any:
    """Make a categorical column: one byte per patient instead of a string object each."""
    return pd.Categorical.from_codes(np.asarray(picks, dtype=np.int8), categories=pd.Index(values))


# ------------------------------------------------------------------------------ validation
def _check_age_spec(age: Any) -> float | tuple[Any, ...]:
    lo, hi = _AGE_RANGE
    if isinstance(age, numbers.Real) and not isinstance(age, bool):
        return check_real("age", age, lo, hi, unit="years")
    if not isinstance(age, tuple) or len(age) != 3 or age[0] not in ("normal", "uniform"):
        raise TypeError(
            f"age must be a number, ('normal', mean, sd) or ('uniform', low, high), got {age!r}"
        )
    kind, a, b = age
    if kind == "normal":
        mean = check_real("age mean", a, lo, hi, unit="years")
        return ("normal", mean, check_real("age sd", b, 0, 100, lo_closed=False, unit="years"))
    low = check_real("age low", a, lo, hi, unit="years")
    high = check_real("age high", b, low, hi, unit="years")
    return ("uniform", low, high)


def _sample_age(spec: float | tuple[Any, ...], n: int, rng: np.random.Generator) -> NDArray[Any]:
    if not isinstance(spec, tuple):
        return np.full(n, float(spec))
    kind, a, b = spec
    if kind == "uniform":
        return rng.uniform(a, b, n)
    lo, hi = _AGE_RANGE
    ages = rng.normal(a, b, n)
    for _ in range(_MAX_REDRAWS):  # truncation to the model's age range by redrawing
        out = (ages < lo) | (ages > hi)
        if not out.any():
            return ages
        ages[out] = rng.normal(a, b, int(out.sum()))
    raise ValueError(f"age ('normal', {a:g}, {b:g}) puts too little mass in {limit_range('age')}")


def _check_covariates(spec: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise TypeError(f"covariates must be a mapping, got {type(spec).__name__}")
    out: dict[str, Any] = {}
    for field, value in spec.items():
        if field in _CATEGORICAL:
            allowed = _CATEGORICAL[field]
            if isinstance(value, Mapping):
                freqs = {}
                for category, f in value.items():
                    if category not in allowed:
                        raise ValueError(
                            f"covariates[{field!r}]: unknown value {category!r}; "
                            f"allowed: {', '.join(map(repr, allowed))}"
                        )
                    freqs[category] = check_real(f"covariates[{field!r}][{category!r}]", f, 0, 1)
                if not math.isclose(sum(freqs.values()), 1.0, abs_tol=1e-9):
                    raise ValueError(
                        f"covariates[{field!r}]: frequencies must sum to 1, got "
                        f"{sum(freqs.values()):g}"
                    )
                out[field] = freqs
            elif value in allowed and not isinstance(value, bool):
                out[field] = value
            else:
                raise ValueError(
                    f"covariates[{field!r}] must be one of "
                    f"{', '.join(map(repr, allowed))} or a mapping of them to "
                    f"frequencies, got {value!r}"
                )
        elif field in _FLAGS:
            if isinstance(value, (bool, np.bool_)):
                out[field] = bool(value)
            else:
                out[field] = check_real(f"covariates[{field!r}] (probability of True)", value, 0, 1)
        elif field == "age":
            raise TypeError("give the age distribution with age=, not in covariates")
        else:
            raise ValueError(
                f"unknown covariate {field!r}; covariates are "
                f"{', '.join(tuple(_CATEGORICAL) + _FLAGS)}"
            )
    return out


def _check_variability(spec: Mapping[str, float]) -> dict[str, float]:
    if not isinstance(spec, Mapping):
        raise TypeError(
            f"variability must be a mapping of parameter to omega, got {type(spec).__name__}"
        )
    out = {}
    for name, omega in spec.items():
        Parameters.info(name)  # unknown names raise with suggestions
        out[name] = check_real(f"variability[{name!r}] (omega, sd of the log)", omega, 0, 3)
    return out


def _check_correlation(corr: Any, names: tuple[str, ...]) -> NDArray[np.float64]:
    k = len(names)
    if corr is None:
        return np.eye(k)
    if k == 0:
        raise ValueError("correlation needs variability on at least two parameters")
    if isinstance(corr, pd.DataFrame):
        if set(corr.index) != set(names) or set(corr.columns) != set(names):
            raise ValueError(f"correlation must be labelled by the varied parameters {list(names)}")
        corr = corr.loc[list(names), list(names)].to_numpy()
    c = np.asarray(corr, dtype=np.float64)
    if c.shape != (k, k):
        raise ValueError(
            f"correlation must be a {k}x{k} matrix (one row per varied parameter, "
            f"in the order {list(names)}), got shape {c.shape}"
        )
    if not np.all(np.isfinite(c)) or not np.allclose(c, c.T, atol=1e-12):
        raise ValueError("correlation must be a finite symmetric matrix")
    if not np.allclose(np.diag(c), 1.0, atol=1e-12) or np.any(np.abs(c) > 1.0):
        raise ValueError("correlation must have a unit diagonal and entries in [-1, 1]")
    try:
        np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise ValueError("correlation must be positive definite") from None
    c = c.copy()
    c.setflags(write=False)
    return c


def _within_domain(values: NDArray[np.float64], cols: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Rows whose sampled values all lie in their parameters' domains."""
    names = Parameters.default().names
    ok = np.ones(len(values), dtype=bool)
    for j, col in enumerate(cols):
        info = Parameters.info(names[col])
        v = values[:, j]
        ok &= (v >= info.lower) if info.lower_closed else (v > info.lower)
        ok &= (v <= info.upper) if info.upper_closed else (v < info.upper)
        ok &= np.isfinite(v)
    return ok


def _check_quantiles(quantiles: Sequence[float]) -> NDArray[np.float64]:
    qs = np.array(
        [check_real("quantiles", q, 0, 1, lo_closed=False, hi_closed=False) for q in quantiles]
    )
    if qs.size == 0:
        raise ValueError("quantiles must list at least one probability")
    if np.any(np.diff(qs) <= 0):
        raise ValueError("quantiles must be strictly increasing")
    return qs
