"""Type stubs of the compiled engine module (private; use the skinremodel package)."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

__version__: str

class SolverError(RuntimeError): ...

class Patient:
    age: float
    diabetes: int  # 0 none, 1 controlled, 2 poor
    vitamin_c: int  # 0 deficient, 1 replete, 2 supplemented
    phototype: int
    smoker: bool
    photoaged: bool
    reactive_skin: bool
    acne_scars: bool
    def __init__(self) -> None: ...

def parameter_names() -> list[str]: ...
def state_names() -> list[str]: ...
def default_parameters() -> NDArray[np.float64]: ...
def default_atol() -> NDArray[np.float64]: ...
def jacobian_pattern() -> list[list[bool]]: ...
def effective_parameters(params: NDArray[np.float64], patient: Patient) -> NDArray[np.float64]: ...
def baseline(effective_params: NDArray[np.float64]) -> NDArray[np.float64]: ...
def rhs(
    y: NDArray[np.float64], effective_params: NDArray[np.float64], t: float = 0.0
) -> NDArray[np.float64]: ...
def jacobian(
    y: NDArray[np.float64], effective_params: NDArray[np.float64], t: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def session_dose(
    depth_mm: float,
    density_per_cm2: float,
    needle_diameter_mm: float,
    dose_scale: float,
    effective_params: NDArray[np.float64],
) -> tuple[float, float]: ...
def simulate(
    params: NDArray[np.float64],
    patient: Patient,
    sessions: NDArray[np.float64],
    t_eval: NDArray[np.float64],
    t_end: float,
    method: str,
    rtol: float,
    atol: NDArray[np.float64],
    max_steps: int,
    initial_step: float,
    max_step: float,
    event_weights: NDArray[np.float64],
    event_levels: NDArray[np.float64],
) -> dict[str, Any]: ...
def simulate_sensitivities(
    params: NDArray[np.float64],
    patient: Patient,
    sessions: NDArray[np.float64],
    t_eval: NDArray[np.float64],
    t_end: float,
    method: str,
    rtol: float,
    atol: NDArray[np.float64],
    max_steps: int,
    initial_step: float,
    max_step: float,
    event_weights: NDArray[np.float64],
    event_levels: NDArray[np.float64],
    names: list[str],
) -> dict[str, Any]: ...
def simulate_batch(
    params: NDArray[np.float64],
    patients: NDArray[np.float64],
    plans: list[NDArray[np.float64]],
    event_weights: NDArray[np.float64],
    event_levels: NDArray[np.float64],
    items: NDArray[np.int64],
    t_eval: NDArray[np.float64],
    t_end: float,
    method: str,
    rtol: float,
    atol: NDArray[np.float64],
    max_steps: int,
    threads: int,
) -> dict[str, Any]: ...
def effective_parameters_batch(
    params: NDArray[np.float64], patients: NDArray[np.float64], pairs: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
