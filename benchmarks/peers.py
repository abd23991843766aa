"""Work-precision of skinremodel and its peers on the same MN-14 problem, measured interleaved.

Run (from the repository root, after ``scripts/bench_setup.sh``, which installs gfortran and the
``bench`` extra):

    python benchmarks/peers.py            # about 10 minutes on 2 cores; writes the table, the
                                          # plot (docs/peers_work_precision.png) and docs
    python benchmarks/peers.py --quick    # smoke run: few tolerances, 1 round, prints only

The problem: MN-14 revision 2 (docs/model.md) for a 45-year-old with the default parameters,
6 sessions every 28 days at 1.5 mm, 365 days, daily output 0..365 (366 x 15 states), the value on
a session day being the state after the session. Every peer integrates the same equations
(benchmarks/mn14_symbolic.py: one sympy definition, checked against the engine's right-hand side
and Jacobian before anything is timed) with the same effective parameters, baseline and session
jumps, split at the sessions (libRoadRunner: events in the model):

* skinremodel ``sr.simulate`` (Rodas5P, C++), from Python;
* numbalsoda: LSODA (Fortran-free C++ port) with the right-hand side as a numba ``cfunc``, the
  piecewise loop in numba; LSODA takes no Jacobian (finite differences inside);
* scipy ``odeint`` (ODEPACK LSODA) and ``solve_ivp`` (LSODA, BDF, Radau) with a numba-compiled
  right-hand side and analytic Jacobian;
* libRoadRunner (CVODE), an Antimony model with one event per session;
* diffrax (Kvaerno5, PID controller) under ``jax.jit``, float64; tolerances are traced arguments
  so one compilation serves every tolerance.

Tolerances: rtol from 1e-1 to 1e-10 (the loose end lets every peer reach accuracy 1e-2), and
for every peer the per-state absolute tolerance atol_i = rtol x w_i, w_i the peak of state i over
the reference trajectory (numbalsoda takes one scalar atol, so it integrates z = y / w with
atol = rtol, which is the same weighting). Accuracy:
the largest error over all 366 days and 15 states, each state's error divided by its peak w_i,
against a reference from an independent implementation (tests/python/reference_mn14.py, its own
parameters, covariates, dose and jumps) integrated by ODEPACK LSODA at rtol 1e-12; the full run
also reports its distance to skinremodel at rtol 1e-11 and to scipy Radau at rtol 1e-11.

Times are process CPU time (``time.process_time``), interleaved: each round runs every peer at
every tolerance once, in a shuffled order, each measurement repeating the call until 20 ms of CPU
time have passed (mean per call). The table gives medians over rounds; ratios at equal accuracy
(1e-2 .. 1e-6) interpolate log(time) against log(error) along each peer's Pareto front, per round,
and give the median and range over the rounds.

Batch: 10,000 virtual patients (sr.Population, seed 2024) at the tolerance where each peer reaches
an accuracy of 1e-4 on the reference patient (interpolated rtol): ``sr.simulate_many`` on 2
threads, numbalsoda in a ``numba.prange`` loop on 2 threads, diffrax ``jax.vmap`` (a subset,
scaled). Wall time, interleaved rounds (both parallel peers use both cores).
"""

from __future__ import annotations

import os

# Idle worker threads must not spin and add to the CPU time of the calls measured after them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("NUMBA_NUM_THREADS", "2")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")

import argparse  # noqa: E402
import importlib.metadata  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import skinremodel as sr  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from skinremodel import _core  # noqa: E402
from skinremodel.patients.patient import patient_codes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
import reference_mn14 as ref_impl  # noqa: E402  (independent implementation, for the reference)
from timing import cpu_per_call  # noqa: E402  (same folder: python benchmarks/peers.py)

SESSION_DAYS = [0.0, 28.0, 56.0, 84.0, 112.0, 140.0]
HORIZON = 365.0
T_OUT = np.arange(0.0, HORIZON + 1.0)
STATES = tuple(_core.state_names())
NS = len(STATES)
RTOLS = [10.0**-k for k in range(1, 11)]  # 1e-1 too: methods more accurate than asked need it
TARGETS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
BATCH_ACCURACY = 1e-4
DOCS = ROOT / "docs" / "performance.md"
BEGIN = "<!-- benchmarks/results/peers.md:begin (written by benchmarks/peers.py; do not edit) -->"
END = "<!-- benchmarks/results/peers.md:end -->"
Array = NDArray[np.float64]


# ------------------------------------------------------------------------------ the problem
@dataclass
class Problem:
    plan: sr.Schedule
    args: Array  # (2 + P,) sC0, sE0, effective parameters of the reference patient
    y0: Array  # (15,) its baseline
    jump: Array  # sym.Jump.as_array() of its sessions
    reference: Array  # (366, 15) the reference solution
    w: Array  # (15,) peak of each state over the reference
    pop_args: Array | None = None
    pop_y0: Array | None = None
    pop_jumps: Array | None = None
    population: sr.Population | None = None


def reference_solution(rtol: float = 1e-12) -> Array:
    """tests/python/reference_mn14.py integrated by ODEPACK LSODA (scipy odeint), piecewise."""
    from scipy.integrate import odeint

    p = ref_impl.covariates(ref_impl.default_values(), age=45.0)
    f = ref_impl.make_rhs(p)
    u, v = ref_impl.dose(p, 1.5)
    y = ref_impl.baseline(p)
    edges = SESSION_DAYS + [HORIZON]
    scale = np.maximum(np.abs(y), 1e-3)
    rows = []
    for k in range(len(SESSION_DAYS)):
        y = ref_impl.jump(p, y, u, v)
        ta, tb, last = edges[k], edges[k + 1], k == len(SESSION_DAYS) - 1
        ts = T_OUT[(T_OUT >= ta) & ((T_OUT <= tb) if last else (T_OUT < tb))]
        sol = odeint(
            f,
            y,
            ts if last else np.append(ts, tb),
            rtol=rtol,
            atol=rtol * scale,
            tfirst=True,
            mxstep=1_000_000,
        )
        rows.append(sol if last else sol[:-1])
        y = sol[-1].copy()
    return np.vstack(rows)


def build_problem(sym: object | None) -> Problem:
    plan = sr.Schedule(SESSION_DAYS, depth_mm=1.5, name="6 x 28 days, 1.5 mm")
    eff = np.asarray(
        _core.effective_parameters(sr.Parameters.default().values_array, sr.Patient(age=45)._row())
    )
    reference = reference_solution()
    w = np.abs(reference).max(axis=0)
    if sym is None:
        return Problem(plan, np.empty(0), np.empty(0), np.empty(0), reference, w)
    return Problem(
        plan,
        sym.engine_arguments(eff),
        np.asarray(_core.baseline(eff)),
        sym.session_jump(eff).as_array(),
        reference,
        w,
    )


def add_population(p: Problem, sym: object, n: int, seed: int) -> None:
    pop = sr.Population(
        n,
        age=("normal", 45.0, 12.0),
        covariates={
            "smoker": 0.2,
            "photoaged": 0.3,
            "diabetes": {"none": 0.9, "controlled": 0.07, "poor": 0.03},
        },
        variability={"s_w": 0.25, "k_mat": 0.2, "r_F": 0.2, "d_M2": 0.2, "k_R": 0.15},
        seed=seed,
    )
    codes = patient_codes(pop.covariates)
    eff = np.array(
        [
            _core.effective_parameters(row, code)
            for row, code in zip(pop.params_matrix, codes, strict=True)
        ]
    )
    base = np.array([_core.baseline(e) for e in eff])
    p.population = pop
    p.pop_args = np.vstack([sym.engine_arguments(e) for e in eff])
    p.pop_y0 = np.asarray(base)
    p.pop_jumps = np.vstack([sym.session_jump(e).as_array() for e in eff])


def accuracy(y: Array, p: Problem) -> float:
    """Largest |y - reference| / w_i over all days and states."""
    return float(np.max(np.abs(y - p.reference) / p.w))


def jump_fn(sym: object) -> Callable[[Array, Array], Array]:
    i_d, i_t, i_r = (STATES.index(s) for s in ("D", "T", "R"))
    infl = [STATES.index(s) for s in ("N", "M1", "M2")]
    imm = [STATES.index(s) for s in sym.IMMATURE]

    def apply(y: Array, jump: Array) -> Array:
        out = y.copy()
        friable = 1.0 + jump[4] * (y[infl[0]] + y[infl[1]] + y[infl[2]])
        out[i_d] += jump[0]
        out[i_t] += jump[1]
        out[i_r] += jump[2]
        out[imm] *= math.exp(-jump[3] * friable)
        return out

    return apply


def segments() -> list[tuple[float, float, Array, bool]]:
    """(start, end, output days incl. the end, last) for each piece between sessions."""
    edges = SESSION_DAYS + [HORIZON]
    out = []
    for k in range(len(SESSION_DAYS)):
        ta, tb, last = edges[k], edges[k + 1], k == len(SESSION_DAYS) - 1
        ts = T_OUT[(T_OUT >= ta) & ((T_OUT <= tb) if last else (T_OUT < tb))]
        out.append((ta, tb, ts if last else np.append(ts, tb), last))
    return out


# ------------------------------------------------------------------------------ peers
class Peer:
    """``run(rtol)`` returns the (366, 15) trajectory of the reference patient."""

    name = ""
    integrator = ""
    max_call_s = 2.0  # tighter tolerances are skipped once one call takes longer than this

    def run(self, rtol: float) -> Array:
        raise NotImplementedError


class Skinremodel(Peer):
    name, integrator = "skinremodel", "Rodas5P (C++), analytic Jacobian; sr.simulate"

    def __init__(self, p: Problem, default_atol: bool = False, keywords: bool = False) -> None:
        self.p, self.default_atol, self.keywords = p, default_atol, keywords
        self.patient = sr.Patient(age=45)
        self.options: dict[float, sr.SolverOptions] = {}
        if default_atol:
            self.name = "skinremodel, default atol"
            self.integrator = "as above, the package's default per-state atol"
        if keywords:
            self.name = "skinremodel, options per call"
            self.integrator = "as the first row; sr.simulate(..., rtol=, atol=) builds options"

    def run(self, rtol: float) -> Array:
        # The options are built once per tolerance, as a user running many simulations builds
        # them once (sr.SolverOptions is checked when built), and as libRoadRunner's tolerances
        # are set once per tolerance below; each call then checks the plan, the patient and the
        # horizon, runs the engine and returns the states. The keywords variant builds and
        # checks the options in every call (the shorthand), to show what that costs.
        atol = None if self.default_atol else rtol * self.p.w
        if self.keywords:
            return sr.simulate(self.p.plan, self.patient, days=HORIZON, rtol=rtol, atol=atol).y
        options = self.options.get(rtol)
        if options is None:
            options = self.options[rtol] = sr.SolverOptions(rtol=rtol, atol=atol)
        return sr.simulate(self.p.plan, self.patient, days=HORIZON, options=options).y


class Numbalsoda(Peer):
    name, integrator = "numbalsoda", "LSODA (C++ port), numba cfunc RHS, loop in numba"

    def __init__(self, p: Problem, sym: object) -> None:
        import numba
        from numba import carray, cfunc
        from numbalsoda import lsoda, lsoda_sig

        self.p = p
        ns: dict[str, object] = {}
        exec(compile(sym.Mn14Symbolic().python_source(scaled=True), "<mn14 scaled>", "exec"), ns)
        rhs = numba.njit(ns["rhs"], inline="always")
        n_args = len(p.args) + NS

        @cfunc(lsoda_sig)
        def f(t, u, du, data):  # noqa: ANN001
            rhs(t, carray(u, (NS,)), carray(data, (n_args,)), carray(du, (NS,)))

        fptr = f.address
        i_d, i_t, i_r = (STATES.index(s) for s in ("D", "T", "R"))
        i_n, i_m1, i_m2 = (STATES.index(s) for s in ("N", "M1", "M2"))
        imm = np.array([STATES.index(s) for s in sym.IMMATURE])
        days = np.array(SESSION_DAYS + [HORIZON])
        n_seg = len(SESSION_DAYS)

        @numba.njit
        def solve(args, w, y0, jump, rtol, t_days, full):  # noqa: ANN001, ANN202
            data = np.concatenate((args, w))
            y = y0.copy()
            out = np.empty((t_days.size if full else 1, NS))
            row = 0
            for k in range(n_seg):
                friable = 1.0 + jump[4] * (y[i_n] + y[i_m1] + y[i_m2])
                y[i_d] += jump[0]
                y[i_t] += jump[1]
                y[i_r] += jump[2]
                keep = math.exp(-jump[3] * friable)
                for j in imm:
                    y[j] *= keep
                ta, tb = days[k], days[k + 1]
                last = k == n_seg - 1
                if full:
                    m = 0
                    for d in t_days:
                        if d >= ta and (d < tb or (last and d <= tb)):
                            m += 1
                    te = np.empty(m + (0 if last else 1))
                    m = 0
                    for d in t_days:
                        if d >= ta and (d < tb or (last and d <= tb)):
                            te[m] = d
                            m += 1
                    if not last:
                        te[m] = tb
                else:
                    te = np.array([ta, tb])
                z = y / w
                usol, ok = lsoda(fptr, z, te, data=data, rtol=rtol, atol=rtol, mxstep=1_000_000)
                if not ok:
                    raise RuntimeError("numbalsoda failed")
                keep_rows = te.size if last else te.size - 1
                if full:
                    for r in range(keep_rows):
                        out[row + r] = usol[r] * w
                    row += keep_rows
                y = usol[te.size - 1] * w
            if not full:
                out[0] = y
            return out

        @numba.njit(parallel=True)
        def batch(args, w, y0, jumps, rtol):  # noqa: ANN001, ANN202
            n = args.shape[0]
            finals = np.empty((n, NS))
            empty = np.empty(0)
            for i in numba.prange(n):
                finals[i] = solve(args[i], w, y0[i], jumps[i], rtol, empty, False)[0]
            return finals

        self.solve, self.batch_fn = solve, batch
        numba.set_num_threads(2)

    def run(self, rtol: float) -> Array:
        p = self.p
        return self.solve(p.args, p.w, p.y0, p.jump, rtol, T_OUT, True)

    def batch(self, rtol: float, n: int) -> Array:
        p = self.p
        return self.batch_fn(p.pop_args[:n], p.w, p.pop_y0[:n], p.pop_jumps[:n], rtol)


def numba_functions(sym: object) -> tuple[Callable, Callable]:
    """numba-compiled f(t, y, a) -> dy and J(t, y, a) -> (15, 15), from the symbolic model."""
    import numba

    ns: dict[str, object] = {}
    exec(compile(sym.Mn14Symbolic().python_source(), "<mn14>", "exec"), ns)
    rhs_into, jac_into = numba.njit(ns["rhs"]), numba.njit(ns["jac"])

    @numba.njit
    def f(t, y, a):  # noqa: ANN001, ANN202
        dy = np.empty(NS)
        rhs_into(t, y, a, dy)
        return dy

    @numba.njit
    def jac(t, y, a):  # noqa: ANN001, ANN202
        J = np.empty((NS, NS))
        jac_into(t, y, a, J)
        return J

    return f, jac


class Odeint(Peer):
    name, integrator = "scipy odeint", "ODEPACK LSODA, numba RHS and analytic Jacobian"

    def __init__(self, p: Problem, sym: object, fns: tuple[Callable, Callable]) -> None:
        self.p, (self.f, self.jac), self.jump, self.segs = p, fns, jump_fn(sym), segments()

    def run(self, rtol: float) -> Array:
        from scipy.integrate import odeint

        p, y, rows = self.p, self.p.y0, []
        atol = rtol * p.w
        for _ta, _tb, te, last in self.segs:
            y = self.jump(y, p.jump)
            sol = odeint(
                self.f,
                y,
                te,
                args=(p.args,),
                Dfun=self.jac,
                rtol=rtol,
                atol=atol,
                tfirst=True,
                mxstep=1_000_000,
            )
            rows.append(sol if last else sol[:-1])
            y = sol[-1].copy()
        return np.vstack(rows)


class SolveIvp(Peer):
    integrator = "numba RHS and analytic Jacobian"

    def __init__(
        self, p: Problem, sym: object, fns: tuple[Callable, Callable], method: str
    ) -> None:
        self.p, (self.f, self.jac), self.jump, self.segs = p, fns, jump_fn(sym), segments()
        self.method = method
        self.name = f"scipy solve_ivp {method}"

    def run(self, rtol: float) -> Array:
        from scipy.integrate import solve_ivp

        p, y, rows = self.p, self.p.y0, []
        atol = rtol * p.w
        for ta, tb, te, last in self.segs:
            y = self.jump(y, p.jump)
            sol = solve_ivp(
                self.f,
                (ta, tb),
                y,
                method=self.method,
                jac=self.jac,
                t_eval=te,
                rtol=rtol,
                atol=atol,
                args=(p.args,),
            )
            if not sol.success:
                raise RuntimeError(f"{self.name}: {sol.message}")
            rows.append(sol.y.T if last else sol.y.T[:-1])
            y = sol.y[:, -1].copy()
        return np.vstack(rows)


class RoadRunner(Peer):
    name, integrator = "libRoadRunner", "CVODE (BDF), LLVM JIT, events in the model"

    def __init__(self, p: Problem, sym: object) -> None:
        import antimony
        import roadrunner

        self.p = p
        model = sym.Mn14Symbolic()
        jump = sym.Jump(*p.jump)
        # The day-0 session is applied to the initial state; events carry the later ones.
        sessions = [(d, jump) for d in SESSION_DAYS[1:]]
        text = model.antimony(p.args, sym.apply_jump(p.y0, jump), sessions)
        if antimony.loadAntimonyString(text) < 0:
            raise RuntimeError(antimony.getLastError())
        rr = roadrunner.RoadRunner(antimony.getSBMLString("mn14"))
        rr.integrator.maximum_num_steps = 1_000_000
        rr.timeCourseSelections = ["time", *STATES]
        self.rr, self.rtol = rr, None

    def run(self, rtol: float) -> Array:
        rr = self.rr
        if rtol != self.rtol:
            rr.integrator.relative_tolerance = rtol
            for name, a in zip(STATES, rtol * self.p.w, strict=True):
                rr.integrator.setIndividualTolerance(name, float(a))
            self.rtol = rtol
        rr.reset()
        return np.asarray(rr.simulate(0.0, HORIZON, len(T_OUT)))[:, 1:]


class Diffrax(Peer):
    name = "diffrax"

    def __init__(self, p: Problem, sym: object, solver: str) -> None:
        import jax

        jax.config.update("jax_enable_x64", True)
        # compiled programs are kept between runs (the first run compiles for minutes)
        jax.config.update("jax_compilation_cache_dir", str(ROOT / "build" / "jax-cache"))
        import diffrax as dfx
        import jax.numpy as jnp

        self.p, self.jnp = p, jnp
        self.integrator = f"{solver} (ESDIRK), jax.jit, PID controller; jax.vmap for batches"
        rhs = sym.Mn14Symbolic().jax_function()
        segs = [(ta, tb, jnp.asarray(te), last) for ta, tb, te, last in segments()]
        i_d, i_t, i_r, i_n, i_m1, i_m2 = (STATES.index(s) for s in ("D", "T", "R", "N", "M1", "M2"))
        imm = jnp.asarray([STATES.index(s) for s in sym.IMMATURE])
        w = jnp.asarray(p.w)

        def simulate(args, y0, jump, rtol, full):  # noqa: ANN001, ANN202
            # One patient, daily output: the six pieces unrolled (static output days each).
            term = dfx.ODETerm(rhs)
            ctrl = dfx.PIDController(rtol=rtol, atol=rtol * w)
            y, out = y0, []
            for ta, tb, te, last in segs:  # unrolled: a static schedule compiles once
                friable = 1.0 + jump[4] * (y[i_n] + y[i_m1] + y[i_m2])
                y = y.at[i_d].add(jump[0]).at[i_t].add(jump[1]).at[i_r].add(jump[2])
                y = y.at[imm].multiply(jnp.exp(-jump[3] * friable))
                save = dfx.SaveAt(ts=te) if full else dfx.SaveAt(t1=True)
                sol = dfx.diffeqsolve(
                    term,
                    getattr(dfx, solver)(),
                    ta,
                    tb,
                    None,
                    y,
                    args=args,
                    saveat=save,
                    stepsize_controller=ctrl,
                    max_steps=1_000_000,
                )
                y = sol.ys[-1]
                if full:
                    out.append(sol.ys if last else sol.ys[:-1])
            return jnp.concatenate(out) if full else y

        def final_state(args, y0, jump, rtol):  # noqa: ANN001, ANN202
            # The batch keeps the day-365 state only: the six pieces are one diffeqsolve in a
            # lax.scan (one compilation instead of six unrolled ones).
            term = dfx.ODETerm(rhs)
            ctrl = dfx.PIDController(rtol=rtol, atol=rtol * w)
            edges = jnp.asarray(SESSION_DAYS + [HORIZON])

            def piece(y, k):  # noqa: ANN001, ANN202
                friable = 1.0 + jump[4] * (y[i_n] + y[i_m1] + y[i_m2])
                y = y.at[i_d].add(jump[0]).at[i_t].add(jump[1]).at[i_r].add(jump[2])
                y = y.at[imm].multiply(jnp.exp(-jump[3] * friable))
                sol = dfx.diffeqsolve(
                    term,
                    getattr(dfx, solver)(),
                    edges[k],
                    edges[k + 1],
                    None,
                    y,
                    args=args,
                    saveat=dfx.SaveAt(t1=True),
                    stepsize_controller=ctrl,
                    max_steps=1_000_000,
                )
                return sol.ys[-1], None

            y, _ = jax.lax.scan(piece, y0, jnp.arange(len(SESSION_DAYS)))
            return y

        self.single = jax.jit(lambda a, y0, j, r: simulate(a, y0, j, r, True))
        self.batched = jax.jit(jax.vmap(final_state, in_axes=(0, 0, 0, None)))

    def run(self, rtol: float) -> Array:
        jnp, p = self.jnp, self.p
        return np.asarray(
            self.single(
                jnp.asarray(p.args), jnp.asarray(p.y0), jnp.asarray(p.jump), rtol
            ).block_until_ready()
        )

    def batch(self, rtol: float, n: int) -> Array:
        jnp, p = self.jnp, self.p
        return np.asarray(
            self.batched(
                jnp.asarray(p.pop_args[:n]),
                jnp.asarray(p.pop_y0[:n]),
                jnp.asarray(p.pop_jumps[:n]),
                rtol,
            ).block_until_ready()
        )


# ------------------------------------------------------------------------------ measuring
@dataclass
class Curve:
    peer: Peer
    rtols: list[float] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)
    times: list[list[float]] = field(default_factory=list)  # per rtol, per round (s)
    note: str = ""

    def median(self, k: int) -> float:
        return statistics.median(self.times[k])


def pareto(errors: list[float], times: list[float]) -> list[tuple[float, float]]:
    """Points not beaten on both error and time, sorted by error."""
    pts = sorted(zip(errors, times, strict=True))
    front: list[tuple[float, float]] = []
    for e, t in pts:
        if all(t < t2 for _, t2 in front) or not front:
            front.append((e, t))
    # keep the part where time falls as error rises: walk from the most accurate point
    front.sort()
    out: list[tuple[float, float]] = []
    for e, t in front:
        if not out or t < out[-1][1]:
            out.append((e, t))
    return out


def time_at(errors: list[float], times: list[float], target: float) -> tuple[float, str]:
    """Time to reach ``target`` by log-log interpolation on the Pareto front; flag '' if
    bracketed, '<=' if every point is more accurate than the target (time is an upper bound),
    'n/a' if no point reaches it."""
    front = pareto(errors, times)
    if not front or front[0][0] > target:
        return float("nan"), "n/a"
    if front[-1][0] <= target:
        return front[-1][1], "<="
    for (e0, t0), (e1, t1) in itertools.pairwise(front):
        if e0 <= target <= e1:
            x = (math.log(target) - math.log(e0)) / (math.log(e1) - math.log(e0))
            return math.exp(math.log(t0) + x * (math.log(t1) - math.log(t0))), ""
    return float("nan"), "n/a"


def rtol_at(curve: Curve, target: float) -> float:
    """The rtol giving ``target`` accuracy, by log-log interpolation along the sweep."""
    pts = sorted(zip(curve.rtols, curve.errors, strict=True), reverse=True)  # loose -> tight
    for (r0, e0), (r1, e1) in itertools.pairwise(pts):
        if e1 <= target <= e0 and e0 > e1:
            x = (math.log(target) - math.log(e0)) / (math.log(e1) - math.log(e0))
            return math.exp(math.log(r0) + x * (math.log(r1) - math.log(r0)))
    return next((r for r, e in pts if e <= target), pts[-1][0])


def sweep(
    curves: list[Curve], p: Problem, rtols: list[float], rounds: int, min_s: float, seed: int
) -> None:
    """Accuracy once per (peer, rtol), then CPU times interleaved round by round."""
    for c in curves:
        for rtol in rtols:
            t0 = time.perf_counter()
            try:
                y = c.peer.run(rtol)
            except Exception as exc:  # a peer failing at a tolerance is reported, not fatal
                c.note += f" rtol {rtol:g} failed ({type(exc).__name__}: {exc});"
                break
            took = time.perf_counter() - t0
            c.rtols.append(rtol)
            c.errors.append(accuracy(y, p))
            c.times.append([])
            if took > c.peer.max_call_s and rtol != rtols[-1]:
                c.note += f" tighter than rtol {rtol:g} skipped ({took:.1f} s per call);"
                break
        print(f"  {c.peer.name:28s} errors " + " ".join(f"{e:.1e}" for e in c.errors), flush=True)
    rng = random.Random(seed)
    jobs = [(c, k) for c in curves for k in range(len(c.rtols))]
    for r in range(rounds):
        t0 = time.perf_counter()
        rng.shuffle(jobs)
        for c, k in jobs:
            rtol = c.rtols[k]
            c.times[k].append(cpu_per_call(lambda peer=c.peer, rtol=rtol: peer.run(rtol), min_s))
        print(f"  round {r + 1}/{rounds}: {time.perf_counter() - t0:.0f} s", flush=True)


def ratios(curves: list[Curve], base: Curve) -> dict[str, list[tuple[float, float, float, str]]]:
    """Per peer and target accuracy: (median, min, max) of peer time / skinremodel time over the
    rounds, and a flag ('>=' / '<=' when a side is only bounded, 'n/a' when unreachable)."""
    rounds = len(base.times[0])
    out = {}
    for c in curves:
        rows = []
        for target in TARGETS:
            vals, flag = [], ""
            for r in range(rounds):
                tp, fp = time_at(c.errors, [ts[r] for ts in c.times], target)
                tb, fb = time_at(base.errors, [ts[r] for ts in base.times], target)
                if "n/a" in (fp, fb):
                    flag = "n/a"
                    break
                vals.append(tp / tb)
                flag = {("", ""): "", ("<=", ""): "<=", ("", "<="): ">=", ("<=", "<="): "~"}[
                    (fp, fb)
                ]
            if flag == "n/a" or not vals:
                rows.append((float("nan"), float("nan"), float("nan"), "n/a"))
            else:
                rows.append((statistics.median(vals), min(vals), max(vals), flag))
        out[c.peer.name] = rows
    return out


# ------------------------------------------------------------------------------ output
def fmt(x: float, digits: int = 3) -> str:
    if x != x:
        return "-"
    return f"{x:.{digits}g}"


def versions() -> str:
    names = [
        "numpy",
        "scipy",
        "sympy",
        "numba",
        "numbalsoda",
        "libroadrunner",
        "antimony",
        "jax",
        "jaxlib",
        "diffrax",
    ]
    out = [f"skinremodel {sr.__version__}"]
    for n in names:
        try:
            out.append(f"{n} {importlib.metadata.version(n)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    return ", ".join(out)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def wp_table(curves: list[Curve]) -> str:
    head = "| peer | integrator | " + " | ".join(f"rtol {r:.0e}" for r in RTOLS) + " |"
    lines = [head, "|---|---|" + "---|" * len(RTOLS)]
    for c in curves:
        cells = []
        for rtol in RTOLS:
            if rtol in c.rtols:
                k = c.rtols.index(rtol)
                ts = c.times[k]
                med = c.median(k) * 1e3
                spread = (max(ts) - min(ts)) / 2 * 1e3
                cells.append(f"{fmt(med)} ms ±{fmt(spread, 2)}<br>err {c.errors[k]:.1e}")
            else:
                cells.append("-")
        lines.append(f"| {c.peer.name} | {c.peer.integrator} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratio_table(rat: dict[str, list[tuple[float, float, float, str]]], base_name: str) -> str:
    lines = [
        "| peer | " + " | ".join(f"accuracy {a:.0e}" for a in TARGETS) + " |",
        "|---|" + "---|" * len(TARGETS),
    ]
    for name, rows in rat.items():
        if name == base_name:
            continue
        cells = []
        for med, lo, hi, flag in rows:
            if flag == "n/a":
                cells.append("not reached")
            else:
                pre = {"<=": "≤ ", ">=": "≥ ", "~": "~ "}.get(flag, "")
                cells.append(
                    f"{pre}{med:.3g}x ({lo:.2g}-{hi:.2g})"
                    if hi < 100
                    else f"{pre}{med:.0f}x ({lo:.0f}-{hi:.0f})"
                )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(curves: list[Curve], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    for c in curves:
        med = [c.median(k) * 1e3 for k in range(len(c.rtols))]
        lo = [m - min(ts) * 1e3 for m, ts in zip(med, c.times, strict=True)]
        hi = [max(ts) * 1e3 - m for m, ts in zip(med, c.times, strict=True)]
        style = "-o" if c.peer.name.startswith("skinremodel") else "--s"
        if c.peer.name == "skinremodel, default atol":
            style = ":o"
        ax.errorbar(c.errors, med, yerr=[lo, hi], fmt=style, ms=4, capsize=2, label=c.peer.name)
    for a in TARGETS:
        ax.axvline(a, color="0.9", lw=0.8, zorder=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("largest error over days and states (each / its peak)")
    ax.set_ylabel("CPU time per simulation (ms)")
    ax.set_title("MN-14, 6 sessions, 365 days, daily output: work-precision")
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def update_docs(text: str) -> bool:
    doc = DOCS.read_text()
    if BEGIN not in doc or END not in doc:
        return False
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{BEGIN}\n{text}{END}{tail}")
    return True


# ------------------------------------------------------------------------------ batch
def run_batch(
    p: Problem, batch_peers: dict[str, tuple[Callable[[int], object], int]], n: int, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """Wall and CPU seconds for n patients (scaled when a peer runs fewer), interleaved."""
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in batch_peers}
    for name, (fn, m) in batch_peers.items():  # warm-up (compilation for this shape), not timed
        t0 = time.perf_counter()
        fn(m)
        print(f"  {name}: warm-up {time.perf_counter() - t0:.1f} s", flush=True)
    for r in range(rounds):
        for name, (fn, m) in batch_peers.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn(m)
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            out[name].append((wall * n / m, cpu * n / m))
        print(
            "  batch round "
            + str(r + 1)
            + ": "
            + ", ".join(f"{k} {v[-1][0]:.2f} s" for k, v in out.items()),
            flush=True,
        )
    return out


# ------------------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 3 tolerances, 1 round, 200 patients, prints only",
    )
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--min-ms", type=float, default=20.0, help="CPU time per measurement")
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--batch-rounds", type=int, default=5)
    ap.add_argument(
        "--diffrax-batch",
        type=int,
        default=200,
        help="patients in diffrax's vmap (time scaled to --patients)",
    )
    ap.add_argument("--diffrax-solver", default="Kvaerno5")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument(
        "--peers",
        default="",
        help="comma-separated subset of: numbalsoda, scipy odeint, scipy solve_ivp, "
        "libRoadRunner, diffrax (default: all; with --quick: scipy odeint, "
        "libRoadRunner)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="markdown output (default: benchmarks/results/peers.md, and "
        "docs/performance.md; none with --quick)",
    )
    a = ap.parse_args()
    rtols = RTOLS
    if a.quick:
        rtols = [1e-3, 1e-5, 1e-7]
        a.peers = a.peers or "scipy odeint,libRoadRunner"
        a.rounds, a.min_ms, a.patients, a.batch_rounds, a.diffrax_batch = 1, 2.0, 200, 1, 50
    out = a.out or (None if a.quick else ROOT / "benchmarks" / "results" / "peers.md")
    started = time.perf_counter()

    skipped: list[str] = []
    try:
        import mn14_symbolic as sym
    except ImportError as exc:
        sym = None
        skipped.append(
            f"every peer but skinremodel: the symbolic model needs {exc.name} "
            '(pip install ".[bench]")'
        )
    print(
        "reference solution (tests/python/reference_mn14.py, ODEPACK LSODA, rtol 1e-12) ...",
        flush=True,
    )
    p = build_problem(sym)
    checks = []
    if sym is not None:
        eff0 = np.asarray(
            _core.effective_parameters(
                sr.Parameters.default().values_array, sr.Patient(age=45)._row()
            )
        )
        worst = sym.check_against_engine(sym.Mn14Symbolic(), eff0, np.random.default_rng(0))
        print(f"symbolic right-hand side and Jacobian vs the engine's: {worst:.1e} (relative)")
        assert worst < 1e-10, "the peers' equations differ from the engine's"
        checks.append(
            f"the symbolic right-hand side and Jacobian match the engine's to "
            f"{worst:.0e} (relative, 20 random states)"
        )
    tight = sr.simulate(p.plan, sr.Patient(age=45), days=HORIZON, rtol=1e-11, atol=1e-11 * p.w)
    checks.append(f"skinremodel at rtol 1e-11 is {accuracy(tight.y, p):.1e} from the reference")

    wanted = {s.strip() for s in a.peers.split(",") if s.strip()}
    peers: list[Peer] = [
        Skinremodel(p),
        Skinremodel(p, default_atol=True),
        Skinremodel(p, keywords=True),
    ]
    builders: list[tuple[str, Callable[[], list[Peer]]]] = []
    if sym is not None:
        fns: list[tuple[Callable, Callable]] = []

        def numba_fns() -> tuple[Callable, Callable]:
            if not fns:
                fns.append(numba_functions(sym))
            return fns[0]

        builders = [
            ("numbalsoda", lambda: [Numbalsoda(p, sym)]),
            ("scipy odeint", lambda: [Odeint(p, sym, numba_fns())]),
            (
                "scipy solve_ivp",
                lambda: [SolveIvp(p, sym, numba_fns(), m) for m in ("LSODA", "BDF", "Radau")],
            ),
            ("libRoadRunner", lambda: [RoadRunner(p, sym)]),
            ("diffrax", lambda: [Diffrax(p, sym, a.diffrax_solver)]),
        ]
    setup_s: dict[str, float] = {}
    for name, build in builders:
        if wanted and name not in wanted:
            print(f"not run: {name} (not in --peers)")
            continue
        t0 = time.perf_counter()
        try:
            built = build()
        except ImportError as exc:
            skipped.append(
                f'{name}: not installed ({exc.name}; pip install ".[bench]", '
                "see scripts/bench_setup.sh)"
            )
            print(f"skipping {name}: {exc.name} is not installed", flush=True)
            continue
        peers += built
        setup_s[name] = time.perf_counter() - t0
    if sym is not None and any(isinstance(x, (Odeint, SolveIvp)) for x in peers):
        f, jac = numba_fns()
        r = sym.Mn14Symbolic().numpy_functions()
        y_test = p.y0 * 1.1 + 0.01
        diff = max(
            float(np.max(np.abs(f(3.0, y_test, p.args) - r[0](3.0, y_test, *p.args)))),
            float(np.max(np.abs(jac(3.0, y_test, p.args) - r[1](3.0, y_test, *p.args)))),
        )
        assert diff < 1e-12, f"numba code differs from the symbolic model by {diff}"
    if not a.quick and any(isinstance(x, SolveIvp) and x.method == "Radau" for x in peers):
        radau = next(x for x in peers if isinstance(x, SolveIvp) and x.method == "Radau")
        t0 = time.perf_counter()
        yr = radau.run(1e-11)
        checks.append(
            f"scipy Radau at rtol 1e-11 is {accuracy(yr, p):.1e} from the reference "
            f"({time.perf_counter() - t0:.0f} s)"
        )
    for line in skipped:
        print("skipped:", line)
    print("; ".join(checks))

    print(f"sweep: {len(peers)} peers x {len(rtols)} tolerances, {a.rounds} rounds", flush=True)
    for peer in peers:  # warm-up: compile (jit/numba), caches
        t0 = time.perf_counter()
        peer.run(rtols[0])
        setup_s.setdefault(peer.name, 0.0)
        setup_s[peer.name] += time.perf_counter() - t0
    curves = [Curve(peer) for peer in peers]
    sweep(curves, p, rtols, a.rounds, a.min_ms / 1e3, a.seed)
    base = curves[0]
    rat = ratios(curves, base)

    # ---------------------------------------------------------------- batch
    batch_text = ""
    batch_peers: dict[str, tuple[Callable[[int], object], int]] = {}
    batch_rtol: dict[str, float] = {}
    if sym is not None:
        add_population(p, sym, a.patients, a.seed)
        pop = p.population
        batch_rtol["skinremodel"] = rtol_at(base, BATCH_ACCURACY)

        def ours(m: int) -> object:
            return sr.simulate_many(
                p.plan,
                pop.covariates[:m] if m < a.patients else pop.covariates,
                pop.params_matrix[:m],
                [HORIZON],
                metrics=["total_collagen"],
                rtol=batch_rtol["skinremodel"],
                atol=batch_rtol["skinremodel"] * p.w,
                threads=2,
            )

        batch_peers["skinremodel (2 threads)"] = (ours, a.patients)
        for c in curves:
            if isinstance(c.peer, Numbalsoda):
                batch_rtol["numbalsoda"] = rtol_at(c, BATCH_ACCURACY)
                peer_n = c.peer
                batch_peers["numbalsoda prange (2 threads)"] = (
                    lambda m, peer=peer_n: peer.batch(batch_rtol["numbalsoda"], m),
                    a.patients,
                )
            if isinstance(c.peer, Diffrax):
                batch_rtol["diffrax"] = rtol_at(c, BATCH_ACCURACY)
                peer_d = c.peer
                batch_peers["diffrax vmap"] = (
                    lambda m, peer=peer_d: peer.batch(batch_rtol["diffrax"], m),
                    a.diffrax_batch,
                )
        print(
            f"batch: {a.patients} patients, rtol for accuracy {BATCH_ACCURACY:g}: "
            + ", ".join(f"{k} {v:.2e}" for k, v in batch_rtol.items()),
            flush=True,
        )
        res = run_batch(p, batch_peers, a.patients, a.batch_rounds)
        # agreement of the peers' day-365 total collagen with skinremodel's, same patients
        ours_tc = np.asarray(ours(200).values("total_collagen")).reshape(-1)[:200]
        agree = {}
        i_c = [STATES.index(s) for s in ("C3", "C1", "Cf", "Cm")]
        for name, (fn, m) in batch_peers.items():
            if name.startswith("skinremodel"):
                continue
            finals = np.asarray(fn(min(m, 200)))
            tc = finals[:, i_c].sum(axis=1)
            agree[name] = float(
                np.max(np.abs(tc - ours_tc[: len(tc)]) / np.abs(ours_tc[: len(tc)]))
            )
        med = {k: statistics.median(v[0] for v in vs) for k, vs in res.items()}
        medc = {k: statistics.median(v[1] for v in vs) for k, vs in res.items()}
        ours_name = "skinremodel (2 threads)"

        def per_round(name: str, j: int) -> str:
            """Median (range) over rounds of the round's peer time / skinremodel time."""
            r = [v[j] / o[j] for v, o in zip(res[name], res[ours_name], strict=True)]
            if max(r) >= 100:
                return f"{statistics.median(r):.0f}x ({min(r):.0f}-{max(r):.0f})"
            return f"{statistics.median(r):.3g}x ({min(r):.2g}-{max(r):.2g})"

        lines = [
            f"| batch | rtol (accuracy 1e-4) | patients run | wall s ({a.patients:,}) | "
            "range | CPU s | x skinremodel, wall | x skinremodel, CPU | "
            "day-365 total collagen vs skinremodel |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, vs in res.items():
            key = name.split(" ")[0]
            walls = [v[0] for v in vs]
            lines.append(
                f"| {name} | {batch_rtol[key]:.1e} | {batch_peers[name][1]:,} | "
                f"{fmt(med[name])} | {fmt(min(walls))}-{fmt(max(walls))} | "
                f"{fmt(medc[name])} | {per_round(name, 0)} | {per_round(name, 1)} | "
                f"{fmt(agree.get(name, 0.0), 2)} |"
            )
        batch_text = "\n".join(lines)

    # ---------------------------------------------------------------- report
    desc = (
        f"Measured by `python benchmarks/peers.py{' --quick' if a.quick else ''}` on "
        f"{time.strftime('%Y-%m-%d')} ({(time.perf_counter() - started) / 60:.0f} min): "
        f"{cpu_name()}, {os.cpu_count()} cores (shared), Python {platform.python_version()};"
        f" {versions()}."
    )
    batch_heading = (
        f"**Batch of {a.patients:,} virtual patients** (day-365 states only; each peer at "
        f"the rtol where it reaches accuracy {BATCH_ACCURACY:g} on the reference patient; "
        f"times are medians of {a.batch_rounds} interleaved rounds; ratios are taken per "
        "round, median (range); wall time counts both threads' elapsed time, CPU time the "
        "work of both):"
    )
    text = "\n".join(
        [
            desc,
            "",
            f"Checks: {'; '.join(checks)}."
            + (f" Not run: {'; '.join(skipped)}." if skipped else ""),
            "",
            f"**Work-precision** (reference patient; CPU time per simulation, median of {a.rounds} "
            "interleaved rounds ± half the range; err = largest error over days and states, each "
            "state's error over its peak):",
            "",
            wp_table(curves),
            "",
            "**Peer time / skinremodel time at equal accuracy** (median over rounds, range in "
            "brackets; larger = skinremodel faster; ≤ or ≥: one side's loosest run was already "
            "more accurate, so the ratio is a bound):",
            "",
            ratio_table(rat, base.peer.name),
            "",
            *([batch_heading, "", batch_text, ""] if batch_text else []),
            "Notes: "
            + " ".join(f"{c.peer.name}:{c.note}" for c in curves if c.note)
            + " Setup (compile, first call) s: "
            + ", ".join(f"{k} {v:.1f}" for k, v in setup_s.items())
            + ".",
            "",
        ]
    )
    print()
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        png = ROOT / "docs" / "peers_work_precision.png"
        plot(curves, png)
        print(f"written to {out} and {png}")
        if out.resolve() == (
            ROOT / "benchmarks" / "results" / "peers.md"
        ).resolve() and update_docs(text):
            print(f"and copied into {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
