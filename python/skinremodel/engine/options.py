"""The integrator's settings as one object: :class:`SolverOptions`.

Every entry point that simulates takes ``options=`` (:func:`~skinremodel.simulate`,
:func:`~skinremodel.simulate_many`, :class:`~skinremodel.Population`,
:func:`~skinremodel.fit`, :func:`~skinremodel.fit_population`,
:func:`~skinremodel.sample_posterior`, :func:`~skinremodel.compare`,
:func:`~skinremodel.optimize_plan`). The options are checked once, when they are built, against
the bounds the core exports (``skinremodel._core.limits()``, ``docs/limits.md``), and converted to
the engine's form once; :data:`Method` names the methods the core has
(``skinremodel._core.method_names()``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _core
from .._validation import as_float_array
from ..limits import check_limit, within
from ..model.observables import STATE_NAMES

__all__ = [
    "Method",
    "METHODS",
    "SolverOptions",
    "DEFAULT_OPTIONS",
    "resolve_options",
    "deprecated_options",
    "core_options",
]

#: The integration methods of the engine (a test checks them against the core's names).
Method = Literal["rodas5p", "rodas4", "dopri5"]
#: The methods' names, as the core lists them (the default first).
METHODS: tuple[str, ...] = tuple(_core.method_names())
_DEFAULT_ATOL: tuple[float, ...] = tuple(float(a) for a in _core.default_atol())


def _atol_tuple(atol: Any) -> tuple[float, ...]:
    """Per-state absolute tolerances from None, a number, a mapping by state or 15 values."""
    if atol is None or atol is _DEFAULT_ATOL:  # the core's own default, in range by construction
        return _DEFAULT_ATOL
    if isinstance(atol, Mapping):
        out = list(_DEFAULT_ATOL)
        for name, value in atol.items():
            if name not in STATE_NAMES:
                raise ValueError(
                    f"atol: unknown state {name!r}; states are {', '.join(STATE_NAMES)}"
                )
            out[STATE_NAMES.index(name)] = check_limit("atol", value, f"atol[{name!r}]")
        return tuple(out)
    if np.ndim(atol) == 0:
        return (check_limit("atol", atol),) * len(STATE_NAMES)
    arr = as_float_array("atol", atol)
    if arr.shape != (len(STATE_NAMES),):
        raise ValueError(
            f"atol must have one value per state ({len(STATE_NAMES)}), got {arr.shape}"
        )
    inside = within("atol", arr)
    if not inside.all():  # name the first bad value: the per-value check raises with its range
        k = int(np.flatnonzero(~inside)[0])
        check_limit("atol", float(arr[k]), f"atol[{STATE_NAMES[k]!r}]")
    return tuple(arr.tolist())


@dataclass(frozen=True)
class SolverOptions:
    """Settings of the integrator, checked once when built.

    Parameters
    ----------
    method : {"rodas5p", "rodas4", "dopri5"}
        ``"rodas5p"`` (the default): L-stable Rosenbrock 5(4) of Steinebach, the fastest here
        because the model is stiff (``docs/solvers.md``). ``"rodas4"``: Hairer and Wanner's
        RODAS 4(3). ``"dopri5"``: the explicit Dormand-Prince 5(4). Sensitivities ride on the
        chosen method's steps; their accuracy follows ``rtol`` (``docs/fitting.md``).
    rtol : float
        Relative tolerance, in [1e-14, 0.1].
    atol : float, mapping or array_like, optional
        Absolute tolerance: one number, ``{state: value}`` overrides of the default, or 15
        values in :data:`~skinremodel.STATE_NAMES` order, each in (0, 1]. The default is 1e-9
        for matrix pools, 1e-10 for tropoelastin and 1e-6 for inflammation, growth factor and
        redness. Stored as 15 values (a tuple).
    max_steps : int
        Bound on the integrator's steps (accepted and rejected) per simulation, in [1, 1e9];
        exceeding it raises :class:`~skinremodel.SolverError` instead of hanging.
    initial_step : float
        First step after each session in days, >= 0; 0 (the default) chooses it.
    max_step : float
        Largest step in days, >= 0; 0 (the default) means no limit.

    Raises
    ------
    ValueError, TypeError
        A value out of the core's range (``docs/limits.md``) or of the wrong type.

    Examples
    --------
    >>> import skinremodel as sr
    >>> opts = sr.SolverOptions(rtol=1e-8, atol={"R": 1e-8})
    >>> res = sr.simulate(sr.Schedule.regular(2, every_weeks=4), days=60, options=opts)
    >>> res.options.rtol
    1e-08
    """

    method: Method = "rodas5p"
    rtol: float = 1e-6
    atol: tuple[float, ...] = field(default=_DEFAULT_ATOL)
    max_steps: int = 200_000
    initial_step: float = 0.0
    max_step: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or self.method not in METHODS:
            raise ValueError(
                f"method must be one of {', '.join(map(repr, METHODS))}, got {self.method!r}"
            )
        object.__setattr__(self, "rtol", check_limit("rtol", self.rtol))
        object.__setattr__(self, "atol", _atol_tuple(self.atol))
        object.__setattr__(self, "max_steps", check_limit("max_steps", self.max_steps))
        object.__setattr__(self, "initial_step", check_limit("initial_step", self.initial_step))
        object.__setattr__(self, "max_step", check_limit("max_step", self.max_step))
        # The engine's form, built once (the core checks the same bounds again).
        object.__setattr__(
            self,
            "_core_options",
            _core.SolverOptions(
                self.method,
                self.rtol,
                np.array(self.atol),
                self.max_steps,
                self.initial_step,
                self.max_step,
            ),
        )

    @property
    def atol_array(self) -> NDArray[np.float64]:
        """The absolute tolerances as an array (a copy), one per state."""
        return np.array(self.atol)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON): ``SolverOptions(**d)`` reads it back."""
        return {
            "method": self.method,
            "rtol": self.rtol,
            "atol": list(self.atol),
            "max_steps": self.max_steps,
            "initial_step": self.initial_step,
            "max_step": self.max_step,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            SolverOptions,
            (self.method, self.rtol, self.atol, self.max_steps, self.initial_step, self.max_step),
        )

    def __repr__(self) -> str:
        atol = (
            "default"
            if self.atol == _DEFAULT_ATOL
            else (f"{self.atol[0]:g}" if len(set(self.atol)) == 1 else "per state")
        )
        extra = "".join(
            f", {k}={getattr(self, k):g}" for k in ("initial_step", "max_step") if getattr(self, k)
        )
        return (
            f"SolverOptions(method={self.method!r}, rtol={self.rtol:g}, atol={atol}, "
            f"max_steps={self.max_steps}{extra})"
        )


#: The default options (what ``options=None`` means for simulate and simulate_many).
DEFAULT_OPTIONS = SolverOptions()
assert set(get_args(Method)) == set(METHODS), "Method and the core's method names differ"


def resolve_options(
    options: SolverOptions | None,
    default: SolverOptions = DEFAULT_OPTIONS,
    *,
    method: str | None = None,
    rtol: float | None = None,
    atol: float | Mapping[str, float] | ArrayLike | None = None,
    max_steps: int | None = None,
) -> SolverOptions:
    """Return the options of a call: ``options=``, the shorthand keywords, or ``default``.

    The shorthands (``method=``, ``rtol=``, ``atol=``, ``max_steps=``) build options from
    ``default`` through the same constructor; giving both ``options=`` and a shorthand is a
    TypeError naming both.
    """
    if options is None and method is None and rtol is None and atol is None and max_steps is None:
        return default  # the common case, on every simulate() call: nothing to build or check
    given: dict[str, Any] = {
        k: v
        for k, v in (("method", method), ("rtol", rtol), ("atol", atol), ("max_steps", max_steps))
        if v is not None
    }
    if options is not None:
        if not isinstance(options, SolverOptions):
            raise TypeError(
                f"options must be a skinremodel.SolverOptions, got {type(options).__name__}"
            )
        if given:
            raise TypeError(
                f"give the integrator settings either as options= or as "
                f"{', '.join(f'{k}=' for k in given)}, not both"
            )
        return options
    if not given:
        return default
    return dataclasses.replace(default, **given)


def deprecated_options(
    where: str, options: SolverOptions | None, default: SolverOptions, **aliases: Any
) -> SolverOptions:
    """Return the options of an entry point whose integrator keywords are deprecated aliases.

    A given alias warns (DeprecationWarning) and is resolved as :func:`resolve_options` would.
    """
    given = [k for k, v in aliases.items() if v is not None]
    if given:
        warnings.warn(
            f"{where}({', '.join(f'{k}=' for k in given)}) is deprecated: pass "
            f"options=sr.SolverOptions({', '.join(f'{k}=...' for k in given)})",
            DeprecationWarning,
            stacklevel=3,
        )
    return resolve_options(options, default, **aliases)


def core_options(options: SolverOptions) -> _core.SolverOptions:
    """Return the engine's form of the options (built once, with the options)."""
    out: _core.SolverOptions = options.__dict__["_core_options"]
    return out
