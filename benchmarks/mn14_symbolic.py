"""MN-14 written once with sympy, turned into code for each peer of benchmarks/peers.py.

The equations are transcribed from docs/model.md (right-hand sides, session jumps); the
parameter values a peer integrates are the patient's *effective* parameters computed by the
engine (``skinremodel._core.effective_parameters``), so covariates are applied once, the same way,
for everyone. From the one symbolic definition this module builds

* numpy functions of the right-hand side and its analytic Jacobian (sympy ``lambdify`` with common
  subexpression elimination) for scipy's ``solve_ivp``;
* a JAX function of the right-hand side for diffrax;
* an Antimony model (assignment rules + ODEs + session events) for libRoadRunner.

:func:`check_against_engine` compares the numpy right-hand side and Jacobian with the engine's at
random states before anything is timed, so a transcription error cannot go unnoticed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import sympy as sp
from numpy.typing import NDArray
from skinremodel import _core

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))
from reference_mn14 import maintenance_rates  # noqa: E402  (independent numpy implementation)

STATES: tuple[str, ...] = tuple(_core.state_names())
PARAMS: tuple[str, ...] = tuple(_core.parameter_names())
IMMATURE: tuple[str, ...] = ("C3", "C1", "Cf")  # the pools a session disrupts


@dataclass(frozen=True)
class Jump:
    """A session's jump for one patient (docs/model.md, "Session dose and jumps").

    D, T and R receive the amounts added; collagen not yet cross-linked (C3, C1, Cf) keeps
    exp(-chi_imm u friable) of itself, where friable = 1 + phi_inf (N + M1 + M2) is read from the
    state at the session. Mature collagen and elastin are not touched (model revision 2).
    """

    D: float
    T: float
    R: float
    immature: float  # chi_imm u
    phi_inf: float

    def as_array(self) -> NDArray[np.float64]:
        return np.array([self.D, self.T, self.R, self.immature, self.phi_inf])


def session_jump(
    effective: NDArray[np.float64], depth_mm: float = 1.5, density_per_cm2: float = 250.0
) -> Jump:
    """Jump amounts of one session for a patient's effective parameters."""
    p = dict(zip(PARAMS, effective, strict=True))
    u, v = _core.session_dose(depth_mm, density_per_cm2, float("nan"), 1.0, effective)
    return Jump(
        D=float(p["kap_D"] * u),
        T=float(p["kap_T"] * u),
        R=float(p["al_V"] * u * v),
        immature=float(p["chi_imm"] * u),
        phi_inf=float(p["phi_inf"]),
    )


def apply_jump(y: NDArray[np.float64], jump: Jump) -> NDArray[np.float64]:
    out = np.array(y, dtype=np.float64)
    i = {name: STATES.index(name) for name in STATES}
    friable = 1.0 + jump.phi_inf * (y[i["N"]] + y[i["M1"]] + y[i["M2"]])
    out[i["D"]] += jump.D
    out[i["T"]] += jump.T
    out[i["R"]] += jump.R
    for name in IMMATURE:
        out[i[name]] *= np.exp(-jump.immature * friable)
    return out


class Mn14Symbolic:
    """The MN-14 right-hand side as sympy expressions in the states, ``t`` and the parameters."""

    def __init__(self) -> None:
        self.t = sp.Symbol("t", real=True)
        self.y = sp.symbols(STATES, real=True)
        self.p = sp.symbols(PARAMS, real=True)
        self.sC0, self.sE0 = sp.symbols("sC0 sE0", real=True)
        self.intermediates, self.rates = self._equations()

    def _equations(self) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
        D, N, M1, M2, T, F, Mf, P, C3, C1, Cf, Cm, Et, E, R = self.y
        q = dict(zip(PARAMS, self.p, strict=True))
        h, f3, C, Cset, S0, cells, Sw, X, repair = sp.symbols(
            "h f3 C Cset S0 cells Sw X repair", real=True
        )
        inter = [
            (h, T / (1 + T)),
            (f3, q["f3_0"] + (q["f3_max"] - q["f3_0"]) * h),
            (C, C3 + C1 + Cf + Cm),
            (Cset, 1 - q["beta_age"] * self.t / 365),
            (S0, self.sC0 * F * (Cset / C) ** q["nG"]),
            (cells, F + q["eta"] * Mf),
            (Sw, q["s_w"] * q["a_C"] * q["a_W"] * cells * h),
            (X, D + q["a_MN"] * N),
            # elastin repair (revision 2): (k_Ex + k_Et) / (k_Ex tau_Er) F sp(1 - E), with the
            # smooth ramp sp(x) = eps ln(1 + exp(x / eps)) - eps ln 2
            (
                repair,
                (q["k_Ex"] + q["k_Et"])
                / (q["k_Ex"] * q["tau_Er"])
                * F
                * (
                    q["eps_sp"] * sp.log(1 + sp.exp((1 - E) / q["eps_sp"]))
                    - q["eps_sp"] * sp.log(2)
                ),
            ),
        ]
        S = S0 + Sw
        rates = [
            -(q["k_D"] + q["k_DN"] * N + q["k_DM"] * M1) * D,
            q["r_N"] * D / (q["K_D"] + D) - q["d_N"] * N - q["k_eff"] * (M1 + M2) * N,
            q["r_M"] * X / (q["K_M"] + X) - (q["k_12"] + q["d_M1"]) * M1,
            q["k_12"] * M1 - q["d_M2"] * M2,
            q["s_1"] * M1 + q["s_2"] * M2 + q["s_f"] * Mf - q["d_T"] * T,
            q["r_F"] * h * F * (1 - (F + Mf) / q["K_F"]) + q["lam_F"] * (1 - F) - q["k_FM"] * h * F,
            q["k_FM"] * h * F - q["d_Mf"] * Mf,
            q["d_P"]
            * (
                q["P_b"] * (F + q["nu_f"] * Mf)
                + q["nu_N"] * N
                + q["nu_1"] * M1
                + q["nu_2"] * M2
                - P
            ),
            f3 * S - (q["k_3"] * P + q["k_m3"]) * C3,
            (1 - f3) * S - (q["k_1"] * P + q["k_mat"]) * C1,
            q["k_mat"] * C1 + q["k_m3"] * C3 - (q["k_f"] * P + q["k_x"]) * Cf,
            q["k_x"] * Cf - q["k_m"] * P * Cm,
            self.sE0 * F + q["a_E"] * q["s_Ew"] * cells * h + repair - (q["k_Ex"] + q["k_Et"]) * Et,
            q["k_Ex"] * Et - (q["k_E0"] + q["k_EI"] * (N + M1)) * E,
            q["k_R"] * (q["al_N"] * N + q["al_M"] * M1 - R),
        ]
        return inter, rates

    @cached_property
    def substituted(self) -> list[sp.Expr]:
        """Right-hand sides with the intermediates substituted (states, t, parameters only)."""
        rates = list(self.rates)
        for sym, expr in reversed(self.intermediates):
            rates = [r.subs(sym, expr) for r in rates]
        return rates

    @property
    def arguments(self) -> tuple[sp.Symbol, ...]:
        return (self.sC0, self.sE0, *self.p)

    # ------------------------------------------------------------------ numpy (scipy)
    def numpy_functions(
        self,
    ) -> tuple[Callable[..., NDArray[np.float64]], Callable[..., NDArray[np.float64]]]:
        """``rhs(t, y, *args)`` and ``jac(t, y, *args)`` with args = (sC0, sE0, *params)."""
        rates = self.substituted
        jac = sp.Matrix(rates).jacobian(sp.Matrix(self.y))
        signature = (self.t, self.y, *self.arguments)
        rhs_fn = sp.lambdify(signature, rates, modules="numpy", cse=True)
        jac_fn = sp.lambdify(signature, jac, modules="numpy", cse=True)
        return (
            lambda t, y, *a: np.asarray(rhs_fn(t, y, *a), dtype=np.float64),
            lambda t, y, *a: np.asarray(jac_fn(t, y, *a), dtype=np.float64),
        )

    # ------------------------------------------------------------------ JAX (diffrax)
    def jax_function(self) -> Callable[..., object]:
        """``rhs(t, y, args)`` returning a jax array, args = (sC0, sE0, *params) as one array."""
        import jax.numpy as jnp

        fn = sp.lambdify(
            (self.t, self.y, self.arguments), self.substituted, modules="jax", cse=True
        )

        def rhs(t: object, y: object, args: object) -> object:
            return jnp.stack(fn(t, y, args))

        return rhs

    # ------------------------------------------------------------------ plain Python source (numba)
    def python_source(self, scaled: bool = False) -> str:
        """Source of ``rhs(t, y, a, dy)`` and ``jac(t, y, a, J)`` writing into their last argument.

        ``a`` = (sC0, sE0, *params) and, with ``scaled``, the 15 state scales w after them: the
        functions then take and return z = y / w (dz/dt = f(w z) / w), so that a solver with one
        scalar absolute tolerance (numbalsoda) weighs every state as with atol_i = atol w_i.
        Only ``math`` functions and arithmetic: numba compiles it as it is (njit or cfunc).
        """
        from sympy.printing.pycode import PythonCodePrinter

        printer = PythonCodePrinter({"fully_qualified_modules": True})
        rates = self.substituted
        jac = sp.Matrix(rates).jacobian(sp.Matrix(self.y))
        n = len(STATES)
        head = [f"    {sym} = a[{k}]" for k, sym in enumerate(self.arguments)]
        if scaled:
            base = len(self.arguments)
            head += [f"    w{i} = a[{base + i}]" for i in range(n)]
            head += [f"    {s} = y[{i}] * w{i}" for i, s in enumerate(self.y)]
        else:
            head += [f"    {s} = y[{i}]" for i, s in enumerate(self.y)]
        head.append(f"    {self.t} = t")

        def body(exprs: list[sp.Expr], targets: list[str]) -> list[str]:
            subs, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("x_"))
            out = [f"    {s} = {printer.doprint(e)}" for s, e in subs]
            out += [
                f"    {tgt} = {printer.doprint(e)}" for tgt, e in zip(targets, reduced, strict=True)
            ]
            return out

        if scaled:
            rt = [f"dy[{i}]" for i in range(n)]
            rexprs = [r / sp.Symbol(f"w{i}") for i, r in enumerate(rates)]
            pairs = [(i, j) for i in range(n) for j in range(n) if jac[i, j] != 0]
            jexprs = [jac[i, j] * sp.Symbol(f"w{j}") / sp.Symbol(f"w{i}") for i, j in pairs]
        else:
            rt = [f"dy[{i}]" for i in range(n)]
            rexprs = list(rates)
            pairs = [(i, j) for i in range(n) for j in range(n) if jac[i, j] != 0]
            jexprs = [jac[i, j] for i, j in pairs]
        lines = [
            "import math",
            "",
            "def rhs(t, y, a, dy):",
            *head,
            *body(rexprs, rt),
            "",
            "",
            "def jac(t, y, a, J):",
            *head,
            f"    for i in range({n}):",
            f"        for j in range({n}):",
            "            J[i, j] = 0.0",
            *body(jexprs, [f"J[{i}, {j}]" for i, j in pairs]),
            "",
        ]
        return "\n".join(lines)

    # ------------------------------------------------------------------ Antimony (RoadRunner)
    def antimony(
        self, args: NDArray[np.float64], y0: NDArray[np.float64], sessions: list[tuple[float, Jump]]
    ) -> str:
        """An Antimony model: parameters, assignment rules, ODEs and one event per session."""

        def text(expr: sp.Expr) -> str:
            return _antimony_expr(expr, self.t)

        lines = ["model mn14"]
        for sym, expr in self.intermediates:
            lines.append(f"  {sym} := {text(expr)}")
        for name, rate in zip(STATES, self.rates, strict=True):
            lines.append(f"  {name}' = {text(rate)}")
        for name, value in zip(STATES, y0, strict=True):
            lines.append(f"  {name} = {float(value)!r}")
        used = set().union(
            *(e.free_symbols for _, e in self.intermediates), *(r.free_symbols for r in self.rates)
        )
        for sym, value in zip(self.arguments, args, strict=True):
            if sym in used:
                lines.append(f"  {sym} = {float(value)!r}")
        # The jump amounts are parameters, so a batch can change them per patient; the
        # assignments read the state at the session (friability of inflamed tissue).
        lines.append(f"  phi_inf = {float(sessions[0][1].phi_inf) if sessions else 0.0!r}")
        for k, (day, jump) in enumerate(sessions):
            lines.append(
                f"  jump_D{k} = {float(jump.D)!r}; jump_T{k} = {float(jump.T)!r}; "
                f"jump_R{k} = {float(jump.R)!r}; "
                f"x_immature{k} = {float(jump.immature)!r}"
            )
            friable = "(1 + phi_inf * (N + M1 + M2))"
            assign = f"D = D + jump_D{k}, T = T + jump_T{k}, R = R + jump_R{k}, " + ", ".join(
                f"{s} = {s} * exp(-x_immature{k} * {friable})" for s in IMMATURE
            )
            lines.append(
                f"  session{k}: at (time >= {float(day)!r}), t0=false, persistent=true: {assign}"
            )
        lines.append("end")
        return "\n".join(lines)


def _antimony_expr(expr: sp.Expr, t: sp.Symbol) -> str:
    """sympy -> Antimony infix: ^ for powers, ``time`` for t (symbol names are kept)."""
    return sp.sstr(expr.subs(t, sp.Symbol("time", real=True))).replace("**", "^")


def engine_arguments(effective: NDArray[np.float64]) -> NDArray[np.float64]:
    """(sC0, sE0, *effective) for the generated functions (docs/model.md, "Baseline").

    The maintenance rates come from the independent reference implementation of the tests.
    """
    sC0, sE0 = maintenance_rates(dict(zip(PARAMS, effective, strict=True)))
    return np.concatenate([[sC0, sE0], effective])


def check_against_engine(
    model: Mn14Symbolic, effective: NDArray[np.float64], rng: np.random.Generator, samples: int = 20
) -> float:
    """Largest relative difference of rhs and Jacobian from the engine's, at random states."""
    rhs, jac = model.numpy_functions()
    args = engine_arguments(effective)
    base = np.asarray(_core.baseline(effective))
    worst = 0.0
    for _ in range(samples):
        y = base * rng.uniform(0.5, 1.5, base.size) + rng.uniform(0.0, 0.5, base.size)
        t = float(rng.uniform(0, 365))
        f_ref = np.asarray(_core.rhs(y, effective, t))
        J_ref, _ = _core.jacobian(y, effective, t)
        for a, b in ((rhs(t, y, *args), f_ref), (jac(t, y, *args), np.asarray(J_ref))):
            worst = max(worst, float(np.max(np.abs(a - b) / (np.abs(b) + 1e-12))))
    return worst
