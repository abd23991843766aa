"""Clinical-scale observation models: the grades and scores clinical studies report.

Each scale is a documented function of an existing model observable (the visible improvement
``visible_improvement`` or ``elasticity``), read through that observable's function and partial
derivatives, never through the states directly: a change of what those observables read flows
through to every scale. Scale parameters are model parameters (group ``clinical_scale`` of
``parameters.csv``), so :func:`skinremodel.fit` can estimate them, shared or per subject.

- **Ordinal grades** (Goodman-Baron qualitative 1-4, Lemperle 0-5, Alexiades-Armenakas laxity and
  texture 0-4, GAIS 1-5). A latent severity z(t) = base - slope X(t), X the model observable read
  (relative to baseline), on the grade scale. A cumulative-link (ordered logit) model gives the
  grade: P(Y <= k) = logistic((c_k - z) / s), with cut-points c_k = k + 1/2 between adjacent
  grades (fixed by definition: the location and scale of z are those of the grade numbers) and
  ``spread`` s. Its observable (:mod:`.observables`) is the expected grade
  E[Y] = lo + sum_{k=lo}^{hi-1} (1 - P(Y <= k)); fits use the ordinal likelihood
  (:func:`ordinal_log_likelihood`), not a Gaussian on grade numbers.
- **Continuous scores** (Goodman-Baron quantitative, Lipper-Perez): score = base exp(-slope G),
  a proportional fall with the visible improvement (scar counts times severity points), fitted
  with the Gaussian noise models.
- **Patient-rated improvement** (percent) is the existing observable; it is listed here so that
  the scale table and the plausibility checks are in one place.

The model documentation (``docs/model.md``, section "Clinical scales") gives the equations, the
default parameters and the plausible changes with their sources; :data:`SCALES` holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ClinicalScale",
    "PlausibleChange",
    "SCALES",
    "ORDINAL_SCALES",
    "CALIBRATABLE",
    "cut_points",
    "logistic",
    "category_probabilities",
    "ordinal_log_likelihood",
    "grade_sd",
]

Array = NDArray[np.float64]
_MIN_PROBABILITY = 1e-300


@dataclass(frozen=True)
class PlausibleChange:
    """A published change of a scale that a default course should reproduce in range.

    Attributes
    ----------
    course : {"adult", "acne"}
        ``"adult"``: 4 sessions every 28 days at 1.5 mm, ``Patient(age=45)``; ``"acne"``:
        Minh 2019's 12 weekly sessions (days 0-77) at 1.5 mm, ``Patient(age=25, acne_scars=True)``.
    day : float
        Day of assessment (from the first session).
    measure : {"change", "relative change", "value"}
        Expected grade or score at ``day`` minus its baseline (day 0), that difference divided by
        the baseline, or the value itself (GAIS rates change already).
    low, high : float
        The plausible range.
    source : str
        Where the range comes from.
    """

    course: Literal["adult", "acne"]
    day: float
    measure: Literal["change", "relative change", "value"]
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class ClinicalScale:
    """One clinical scale: what it reads, its parameters, its grades and its plausible change.

    Attributes
    ----------
    name : str
        Observable name (``res["lemperle_grade"]``).
    title : str
        The scale as studies name it.
    kind : {"ordinal", "continuous", "percent"}
    reads : str
        The model observable it is a function of.
    parameters : tuple of str
        Its parameters (base, slope[, spread]); empty for the existing patient rating.
    grades : tuple of int or None
        (lowest, highest) grade of an ordinal scale; higher is worse except for GAIS, where
        1 = exceptional improvement, 4 = no change, 5 = worse.
    meaning : str
        What the grades or scores mean.
    plausible : PlausibleChange
    """

    name: str
    title: str
    kind: Literal["ordinal", "continuous", "percent"]
    reads: str
    parameters: tuple[str, ...]
    grades: tuple[int, int] | None
    meaning: str
    plausible: PlausibleChange


_ADULT_150 = "day 150 of 4 monthly sessions (Ablon 2018, J Clin Aesthet Dermatol 11(8):29"
_SCALE_LIST: tuple[ClinicalScale, ...] = (
    ClinicalScale(
        "goodman_baron_grade",
        "Goodman-Baron qualitative acne-scar grade",
        "ordinal",
        "visible_improvement",
        ("gbg_base", "gbg_slope", "gbg_spread"),
        (1, 4),
        "1 macular, 2 mild, 3 moderate, 4 severe atrophic scarring",
        PlausibleChange(
            "acne",
            137,
            "change",
            -2.0,
            -0.75,
            "Minh 2019: 3.29 -> 2.23 (day 77) -> 1.77 (day 137), i.e. -1.06 to -1.52; "
            "Tirmizi 2021 (Cureus 13:e12578): grade III -> II after 3 monthly "
            "sessions",
        ),
    ),
    ClinicalScale(
        "goodman_baron_score",
        "Goodman-Baron quantitative acne-scar score",
        "continuous",
        "visible_improvement",
        ("gbs_base", "gbs_slope"),
        None,
        "points: scar counts weighted by type and severity (0 to about 84)",
        PlausibleChange(
            "acne",
            137,
            "relative change",
            -0.65,
            -0.30,
            "Al Chalabi 2020 (Eur J Mol Clin Med 7(9):1966): 16.39 -> 7.78 (-53%) "
            "after 4 sessions 6 weeks apart; Minh 2019 Lipper-Perez -36% to -55%",
        ),
    ),
    ClinicalScale(
        "lipper_perez_score",
        "Lipper-Perez acne-scar score",
        "continuous",
        "visible_improvement",
        ("lps_base", "lps_slope"),
        None,
        "points: scar count times severity",
        PlausibleChange(
            "acne",
            137,
            "relative change",
            -0.65,
            -0.30,
            "Minh 2019: 36.5 -> 23.2 (day 77, -36%) -> 16.4 (day 137, -55%)",
        ),
    ),
    ClinicalScale(
        "lemperle_grade",
        "Lemperle wrinkle grade",
        "ordinal",
        "visible_improvement",
        ("lem_base", "lem_slope", "lem_spread"),
        (0, 5),
        "0 no wrinkles, 1 just perceptible, 2 shallow, 3 moderately deep, 4 deep, 5 very deep",
        PlausibleChange(
            "adult",
            150,
            "change",
            -1.6,
            -0.5,
            f"{_ADULT_150}): -1.23 (99% CI 1.11-1.34); Alqam 2023 (J Cosmet "
            "Dermatol 22:206) neck -0.86 three months after 4 monthly sessions",
        ),
    ),
    ClinicalScale(
        "laxity_grade",
        "Alexiades-Armenakas laxity grade",
        "ordinal",
        "elasticity",
        ("aal_base", "aal_slope", "aal_spread"),
        (0, 4),
        "0 none, 1 mild, 2 moderate, 3 advanced, 4 severe laxity",
        PlausibleChange(
            "adult",
            150,
            "change",
            -1.5,
            -0.5,
            f"{_ADULT_150}): -1.09 (99% CI 0.93-1.26), modified scale",
        ),
    ),
    ClinicalScale(
        "texture_grade",
        "Alexiades-Armenakas texture grade",
        "ordinal",
        "visible_improvement",
        ("aat_base", "aat_slope", "aat_spread"),
        (0, 4),
        "0 none, 1 mild, 2 moderate, 3 advanced, 4 severe textural irregularity",
        PlausibleChange(
            "adult",
            150,
            "change",
            -2.0,
            -0.75,
            f"{_ADULT_150}): -1.54 (99% CI 1.33-1.75), modified scale",
        ),
    ),
    ClinicalScale(
        "gais",
        "Global Aesthetic Improvement Scale (GAIS)",
        "ordinal",
        "visible_improvement",
        ("gais_base", "gais_slope", "gais_spread"),
        (1, 5),
        "1 exceptional, 2 very improved, 3 improved, 4 no change, 5 worse (rates change "
        "from baseline)",
        PlausibleChange(
            "adult",
            174,
            "value",
            2.3,
            3.6,
            "Alqam 2023: clinician GAIS 3.06 (SD 0.74), subject GAIS 2.90-3.16, "
            "1-3 months after 4 monthly sessions",
        ),
    ),
    ClinicalScale(
        "patient_rated_improvement",
        "patient-rated improvement",
        "percent",
        "visible_improvement",
        (),
        None,
        "percent better, 100 G / (G + G_s) (section Observables; parameter G_s)",
        PlausibleChange(
            "adult",
            150,
            "value",
            30.0,
            80.0,
            "Aust 2008 60-80% (unblinded, retrospective: an upper end); Alqam 2023: "
            "69-73% of subjects rated themselves improved at all",
        ),
    ),
)

#: Every clinical scale by observable name.
SCALES: dict[str, ClinicalScale] = {s.name: s for s in _SCALE_LIST}
#: The ordinal scales (cumulative-link likelihood in fits).
ORDINAL_SCALES: dict[str, ClinicalScale] = {n: s for n, s in SCALES.items() if s.kind == "ordinal"}
#: Every scale parameter, for calibration (``sr.fit(..., parameters=CALIBRATABLE[...])``).
CALIBRATABLE: dict[str, tuple[str, ...]] = {
    n: s.parameters for n, s in SCALES.items() if s.parameters
}


# ------------------------------------------------------------------------ ordinal likelihood
def cut_points(scale: ClinicalScale) -> Array:
    """Cut-points k + 1/2 between adjacent grades of an ordinal scale."""
    assert scale.grades is not None
    lo, hi = scale.grades
    return np.arange(lo, hi, dtype=np.float64) + 0.5


def logistic(u: Array) -> Array:
    """Return the logistic function 1 / (1 + exp(-u)), written with tanh (no overflow)."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * u)), dtype=np.float64)


def category_probabilities(z: Array, s: Array, grades: tuple[int, int]) -> Array:
    """P(Y = k) for k = lo..hi under the ordered logit, shape (n, hi - lo + 1).

    Differences of the cumulative probabilities are taken on the side of the distribution where
    they do not cancel (upper tail where the cut-point lies below z), so that tiny
    probabilities stay accurate.
    """
    z = np.atleast_1d(np.asarray(z, dtype=np.float64))
    s = np.broadcast_to(np.asarray(s, dtype=np.float64), z.shape)
    lo, hi = grades
    cuts = np.arange(lo, hi, dtype=np.float64) + 0.5
    u = (cuts[None, :] - z[:, None]) / s[:, None]
    lower = np.concatenate([np.zeros((len(z), 1)), logistic(u)], axis=1)  # P(Y < k)
    upper = np.concatenate([logistic(u), np.ones((len(z), 1))], axis=1)  # P(Y <= k)
    tail_lower = np.concatenate([logistic(-u), np.zeros((len(z), 1))], axis=1)  # P(Y > k)
    tail_upper = np.concatenate([np.ones((len(z), 1)), logistic(-u)], axis=1)  # P(Y >= k)
    centre = np.concatenate([u, np.full((len(z), 1), np.inf)], axis=1)
    p = np.where(centre > 0, upper - lower, tail_upper - tail_lower)
    return np.asarray(np.maximum(p, _MIN_PROBABILITY), dtype=np.float64)


def ordinal_log_likelihood(
    grade: Array, z: Array, dz: Array, s: Array, ds: Array, grades: tuple[int, int]
) -> tuple[Array, Array, Array]:
    """Log-probability of observed grades, its gradient and the expected Fisher information.

    Parameters
    ----------
    grade : numpy.ndarray
        Observed grades (integers in ``grades``), shape (n,).
    z, s : numpy.ndarray
        Latent severity and logistic scale of each observation, shape (n,).
    dz, ds : numpy.ndarray
        Their derivatives with respect to the m estimated quantities, shape (n, m).
    grades : tuple of int
        (lowest, highest) grade.

    Returns
    -------
    logp : numpy.ndarray
        log P(Y = grade), shape (n,).
    dlogp : numpy.ndarray
        d logp / d theta, shape (n, m).
    fisher : numpy.ndarray
        Expected Fisher information sum_i sum_k grad p_ik grad p_ik^T / p_ik, shape (m, m).
    """
    z = np.asarray(z, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    lo, hi = grades
    n_cat = hi - lo + 1
    p = category_probabilities(z, s, grades)
    cuts = np.arange(lo, hi, dtype=np.float64) + 0.5
    u = (cuts[None, :] - z[:, None]) / s[:, None]  # (n, K-1)
    f = logistic(u)
    density = f * (1.0 - f)  # dF/du
    # d u_k / d theta = -(dz + u_k ds) / s: (n, K-1, m)
    du = -(dz[:, None, :] + u[:, :, None] * ds[:, None, :]) / s[:, None, None]
    dcum = density[:, :, None] * du  # d P(Y <= k)
    zero = np.zeros((len(z), 1, dz.shape[1]))
    dp = np.concatenate([dcum, zero], axis=1) - np.concatenate([zero, dcum], axis=1)
    index = np.asarray(grade, dtype=np.int64) - lo
    rows = np.arange(len(z))
    logp = np.log(p[rows, index])
    dlogp = dp[rows, index, :] / p[rows, index][:, None]
    fisher = np.einsum("nkm,nkl->ml", dp / p[:, :, None], dp) if n_cat else np.zeros((0, 0))
    return logp, dlogp, np.asarray(fisher, dtype=np.float64)


def grade_sd(z: Array, s: Array, grades: tuple[int, int]) -> Array:
    """Return the standard deviation of the grade under the ordered logit, shape (n,)."""
    p = category_probabilities(z, s, grades)
    k = np.arange(grades[0], grades[1] + 1, dtype=np.float64)
    mean = p @ k
    return np.asarray(np.sqrt(np.maximum(p @ k**2 - mean**2, 0.0)), dtype=np.float64)
