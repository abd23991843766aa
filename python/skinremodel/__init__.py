"""skinremodel: simulate the skin's response to microneedling schedules.

A fast C++ engine integrates MN-14 (revision 2), a 15-state model of inflammation, fibroblasts,
collagen (III, I, fibrillar, cross-linked) and elastin, with each session's injury applied
exactly at its day.

Examples
--------
>>> import skinremodel as sr
>>> plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
>>> res = sr.simulate(plan, patient=sr.Patient(age=45), days=365)
>>> df = res.to_pandas()
>>> cmp = sr.compare(sr.plans.all(), sr.Patient(age=62, diabetes="controlled"))
"""

from __future__ import annotations

# The public modules (sr.plans is the plan library; sr.calibration, sr.inference, sr.plotting,
# sr.progress), all in __all__, and the compiled engine, sr._core: private, so not in __all__,
# bound by the explicit re-export form (tools/sanitized_smoke.py swaps in a sanitized build).
from . import _core as _core
from . import calibration, inference, plans, plotting, progress
from ._core import SolverError
from ._version import __version__
from .clinic.compare import Comparison, HorizonWarning, compare
from .engine.batch import simulate_many
from .engine.batch_result import BatchResult
from .engine.options import METHODS, SolverOptions
from .engine.result import Result
from .engine.sensitivities import Sensitivities
from .engine.simulate import simulate
from .inference import (
    ConvergenceWarning,
    NonIdentifiableWarning,
    PopulationFit,
    Posterior,
    Prior,
    fit_population,
    sample_posterior,
)
from .inference.dataset import Dataset, read_observations, read_patients, read_plans
from .inference.fit import fit
from .inference.fit_result import FitResult
from .inference.identifiability import IdentifiabilityReport
from .inference.observation_model import ObservationModel
from .model.observables import OBSERVABLES, STATE_NAMES
from .model.parameters import ParameterInfo, Parameters, parameter_table
from .model.published import published_observations
from .optimize.constraints import Objective, PlanConstraints
from .optimize.optimizer import optimize_plan
from .optimize.optimum import PlanOptimum
from .patients.history import MedicalHistory
from .patients.patient import Patient
from .patients.screening import ContraindicationError, Screening, screen
from .plans.devices import Device
from .plans.schedule import Schedule, ScheduleWarning
from .plans.session import Session
from .populations.bands import PredictionBands
from .populations.population import Population

__all__ = [
    "BatchResult",
    "Comparison",
    "ContraindicationError",
    "ConvergenceWarning",
    "HorizonWarning",
    "Dataset",
    "Device",
    "FitResult",
    "IdentifiabilityReport",
    "METHODS",
    "MedicalHistory",
    "NonIdentifiableWarning",
    "OBSERVABLES",
    "Objective",
    "ObservationModel",
    "ParameterInfo",
    "Parameters",
    "Patient",
    "PlanConstraints",
    "PlanOptimum",
    "Population",
    "PopulationFit",
    "Posterior",
    "PredictionBands",
    "Prior",
    "Result",
    "STATE_NAMES",
    "Schedule",
    "ScheduleWarning",
    "Screening",
    "Sensitivities",
    "Session",
    "SolverError",
    "SolverOptions",
    "__version__",
    "calibration",
    "compare",
    "fit",
    "fit_population",
    "inference",
    "optimize_plan",
    "parameter_table",
    "plans",
    "plotting",
    "progress",
    "published_observations",
    "read_observations",
    "read_patients",
    "read_plans",
    "sample_posterior",
    "screen",
    "simulate",
    "simulate_many",
]
