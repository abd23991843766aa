"""skinremodel: simulate the skin's response to microneedling schedules.

A fast C++ engine integrates MN-14, a 14-state model of inflammation, fibroblasts, collagen
(III, I, mature) and elastin, with each session's injury applied exactly at its day.

Examples
--------
>>> import skinremodel as sr
>>> plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
>>> res = sr.simulate(plan, patient=sr.Patient(age=45), days=365)
>>> df = res.to_pandas()
>>> cmp = sr.compare(sr.plans.all(), sr.Patient(age=62, diabetes="controlled"))
"""

from __future__ import annotations

from . import _core, calibration, plans, plotting
from ._core import SolverError
from .compare import Comparison, compare
from .devices import Device
from .history import MedicalHistory
from .observables import OBSERVABLES, STATE_NAMES
from .parameters import ParameterInfo, Parameters, parameter_table
from .patient import Patient
from .result import Result
from .schedule import Schedule, ScheduleWarning, Session
from .screening import ContraindicationError, Screening, screen
from .simulate import METHODS, simulate

__version__: str = getattr(_core, "__version__", "0+unknown")

__all__ = [
    "METHODS",
    "OBSERVABLES",
    "STATE_NAMES",
    "Comparison",
    "ContraindicationError",
    "Device",
    "MedicalHistory",
    "ParameterInfo",
    "Parameters",
    "Patient",
    "Result",
    "Schedule",
    "ScheduleWarning",
    "Screening",
    "Session",
    "SolverError",
    "__version__",
    "calibration",
    "compare",
    "parameter_table",
    "plans",
    "plotting",
    "screen",
    "simulate",
]
