"""Cohorts and uncertainty: nonlinear mixed effects, Bayesian posteriors, predictive draws.

- :func:`fit_population`: FOCE-I (Laplace) mixed-effects fits of a cohort
  (:class:`PopulationFit`).
- :func:`sample_posterior`: emcee posteriors of one subject or a hierarchical cohort
  (:class:`Posterior`, ``.to_arviz()``); needs the ``inference`` extra (emcee, ArviZ).
- Both give parameter draws for predictive bands of any plan and for
  ``skinremodel.compare(..., uncertainty=...)``.

See ``docs/inference.md``.
"""

from __future__ import annotations

from ._common import ConvergenceWarning, InferenceWarning, NonIdentifiableWarning
from .population_fit import PopulationFit, fit_population
from .posterior import Posterior, Prior, default_prior, sample_posterior

__all__ = [
    "ConvergenceWarning",
    "InferenceWarning",
    "NonIdentifiableWarning",
    "PopulationFit",
    "Posterior",
    "Prior",
    "default_prior",
    "fit_population",
    "sample_posterior",
]
