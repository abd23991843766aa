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

from . import _core, calibration, inference, plans, plotting
from ._core import SolverError
from ._version import __version__
from .bands import PredictionBands
from .batch import simulate_many
from .batch_result import BatchResult
from .compare import Comparison, HorizonWarning, compare
from .dataset import Dataset, read_observations, read_patients, read_plans
from .devices import Device
from .fit import fit
from .fit_result import FitResult
from .history import MedicalHistory
from .identifiability import IdentifiabilityReport
from .inference import (ConvergenceWarning, NonIdentifiableWarning, PopulationFit, Posterior,
                        Prior, fit_population, sample_posterior)
from .observables import OBSERVABLES, STATE_NAMES
from .observation_model import ObservationModel
from .optimize import Objective, PlanConstraints, optimize_plan
from .optimize_result import PlanOptimum
from .parameters import ParameterInfo, Parameters, parameter_table
from .patient import Patient
from .population import Population
from .published import published_observations
from .result import Result
from .schedule import Schedule, ScheduleWarning, Session
from .screening import ContraindicationError, Screening, screen
from .sensitivities import Sensitivities
from .simulate import METHODS, simulate

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
    "published_observations",
    "read_observations",
    "read_patients",
    "read_plans",
    "sample_posterior",
    "screen",
    "simulate",
    "simulate_many",
]
