"""skinremodel against peers on the same MN-14 problem, measured in one run.

Run (from the repository root, after ``pip install ".[bench]"``):

    python benchmarks/peers.py                  # about 5 minutes on 2 cores
    python benchmarks/peers.py --quick          # smaller samples, about 2 minutes

The problem: the MN-14 equations (docs/model.md) for a 45-year-old with the default parameters,
6 sessions every 28 days at 1.5 mm, 365 days, daily output 0..365 (366 x 14 states), the value on
a session day being the state after the session. Every peer integrates the same equations
(benchmarks/mn14_symbolic.py: one sympy definition, checked against the engine's right-hand side
and Jacobian before timing) with the same effective parameters, baseline and session jumps
(from the engine's covariate rules and dose), at rtol 1e-6 and skinremodel's per-state default
absolute tolerances (1e-9; 1e-10 for tropoelastin; 1e-6 for damage, inflammatory cells, growth
factor and redness):

* scipy ``solve_ivp``, LSODA and BDF with the analytic Jacobian (sympy), split at the sessions;
* libRoadRunner (CVODE), an Antimony model with one event per session, per-state tolerances;
* diffrax (Kvaerno3 by default, PID controller) under ``jax.jit``, split at the sessions;
  ``jax.vmap`` over the population, float64;
* skinremodel: ``sr.simulate`` for one patient, ``sr.simulate_many`` for the population.

Measured: import time and setup/compile time (separately); the latency of one simulation from
Python (median after a warm-up call); the time for 10,000 virtual patients of a seeded
``sr.Population`` (slow peers run a subset, scaled linearly, and the table says so); agreement of
the final states (day 365) with skinremodel's and with a tight reference (skinremodel at rtol
1e-10, which matches scipy's Radau at 1e-10 to 2e-8 in tests/python/test_reference.py): the largest
|difference| / max(|reference|, 1e-3 x the state's peak). The table is printed and written to
benchmarks/results/peers.md, which docs/performance.md includes.
"""

from __future__ import annotations

import os

# numpy's OpenBLAS threads spin for a while after a BLAS call and would take the second core
# from skinremodel's two threads; none of the peers needs BLAS threads for 14-state systems.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402 (after the environment is set)
import importlib.metadata  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import mn14_symbolic as sym  # noqa: E402
from timing import median_seconds  # noqa: E402
import numpy as np  # noqa: E402
import skinremodel as sr  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from skinremodel import _core
from skinremodel.patient import patient_codes

ROOT = Path(__file__).resolve().parents[1]
SESSION_DAYS = [0.0, 28.0, 56.0, 84.0, 112.0, 140.0]
HORIZON = 365.0
T_OUT = np.arange(0.0, HORIZON + 1.0)
RTOL = 1e-6
ATOL = np.asarray(_core.default_atol())
Array = NDArray[np.float64]


# ------------------------------------------------------------------------------ the problem
@dataclass
class Problem:
    """Reference patient (index 0 of nothing: own fields) and the population, per patient."""

    plan: sr.Schedule
    population: sr.Population
    args: Array             # (n, 2 + P): sC0, sE0, effective parameters
    y0: Array               # (n, 14) baselines
    jumps: Array            # (n, 6): sym.Jump.as_array() of each patient
    ref_args: Array
    ref_y0: Array
    ref_jump: Array
    ours: Array             # (366, 14) skinremodel, reference patient, default tolerances
    tight: Array            # (366, 14) skinremodel at rtol 1e-10: the reference solution
    scale: Array            # (14,) peak of each state over the reference trajectory


def apply_jump(y: Array, jump: Array) -> Array:
    return sym.apply_jump(y, sym.Jump(*jump))


def build_problem(n: int, seed: int) -> Problem:
    plan = sr.Schedule(SESSION_DAYS, depth_mm=1.5, name="6 x 28 days, 1.5 mm")
    pop = sr.Population(n, age=("normal", 45.0, 12.0),
                        covariates={"smoker": 0.2, "photoaged": 0.3,
                                    "diabetes": {"none": 0.9, "controlled": 0.07, "poor": 0.03}},
                        variability={"s_w": 0.25, "k_mat": 0.2, "r_F": 0.2, "d_M2": 0.2,
                                     "k_R": 0.15},
                        seed=seed)
    codes = patient_codes(pop.covariates)
    pairs = np.column_stack([np.arange(n), np.arange(n)]).astype(np.int64)
    eff, base = _core.effective_parameters_batch(pop.params_matrix, codes, pairs)
    args = np.vstack([sym.engine_arguments(e) for e in eff])
    jumps = np.vstack([sym.session_jump(e).as_array() for e in eff])
    ref_eff = np.asarray(_core.effective_parameters(sr.Parameters.default().values_array,
                                                    sr.Patient(age=45)._to_core()))
    ours = sr.simulate(plan, sr.Patient(age=45), days=HORIZON).y
    tight = sr.simulate(plan, sr.Patient(age=45), days=HORIZON, rtol=1e-10, atol=1e-13).y
    return Problem(plan=plan, population=pop, args=args, y0=np.asarray(base), jumps=jumps,
                   ref_args=sym.engine_arguments(ref_eff),
                   ref_y0=np.asarray(_core.baseline(ref_eff)),
                   ref_jump=sym.session_jump(ref_eff).as_array(), ours=ours, tight=tight,
                   scale=np.abs(ours).max(axis=0))


def final_error(final: Array, reference: Array, scale: Array) -> float:
    """Largest |final - reference| / max(|reference|, 1e-3 x peak), over states (and patients)."""
    floor = np.maximum(np.abs(reference), 1e-3 * scale)
    return float(np.max(np.abs(final - reference) / floor))


# ------------------------------------------------------------------------------ timing
def import_seconds(statement: str, repeats: int = 3) -> float:
    """Median time of an import in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "benchmarks"))
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True, env=env).stdout) for _ in range(repeats)]
    return statistics.median(runs)


@dataclass
class Row:
    peer: str
    integrator: str
    import_s: float = float("nan")
    setup_s: float = float("nan")
    one_ms: float = float("nan")
    pop_s: float = float("nan")         # seconds for the full population (scaled if sampled)
    pop_measured: int = 0               # patients actually run
    final_vs_ours: float = float("nan")
    final_vs_tight: float = float("nan")
    pop_vs_ours: float = float("nan")   # worst over the measured patients
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------ peers
class Scipy:
    """solve_ivp split at the sessions, analytic Jacobian from sympy."""

    def __init__(self, method: str, tighter: float = 1.0) -> None:
        self.method = method
        self.rtol, self.atol = RTOL * tighter, ATOL * tighter
        t0 = time.perf_counter()
        self.rhs, self.jac = sym.Mn14Symbolic().numpy_functions()
        self.setup_s = time.perf_counter() - t0

    def one(self, args: Array, y0: Array, jump: Array) -> Array:
        from scipy.integrate import solve_ivp

        edges = SESSION_DAYS + [HORIZON]
        y, rows = y0.copy(), []
        for k in range(len(SESSION_DAYS)):
            y = apply_jump(y, jump)
            ta, tb = edges[k], edges[k + 1]
            last = k == len(SESSION_DAYS) - 1
            ts = T_OUT[(T_OUT >= ta) & ((T_OUT <= tb) if last else (T_OUT < tb))]
            sol = solve_ivp(self.rhs, (ta, tb), y, method=self.method, jac=self.jac,
                            t_eval=ts if last else np.append(ts, tb), rtol=self.rtol,
                            atol=self.atol,
                            args=tuple(args))
            if not sol.success:
                raise RuntimeError(f"scipy {self.method}: {sol.message}")
            y = sol.y[:, -1].copy()
            rows.append(sol.y.T if last else sol.y.T[:-1])
        return np.vstack(rows)

    def finals(self, p: Problem, idx: NDArray[np.intp]) -> Array:
        return np.vstack([self.one(p.args[i], p.y0[i], p.jumps[i])[-1] for i in idx])


class RoadRunner:
    """libRoadRunner (CVODE) on an Antimony model with one event per session."""

    def __init__(self, p: Problem, tighter: float = 1.0) -> None:
        import antimony
        import roadrunner

        t0 = time.perf_counter()
        self.model = sym.Mn14Symbolic()
        # The session on day 0 is applied to the initial state: an event at the start time does
        # not fire again once a batch sets the state (events at later days do).
        sessions = [(d, sym.Jump(*p.ref_jump)) for d in SESSION_DAYS[1:]]
        text = self.model.antimony(p.ref_args, apply_jump(p.ref_y0, p.ref_jump), sessions)
        if antimony.loadAntimonyString(text) < 0:
            raise RuntimeError(antimony.getLastError())
        rr = roadrunner.RoadRunner(antimony.getSBMLString("mn14"))
        rr.integrator.relative_tolerance = RTOL * tighter
        for name, a in zip(sym.STATES, ATOL * tighter, strict=True):
            rr.integrator.setIndividualTolerance(name, float(a))
        rr.integrator.maximum_num_steps = 200_000
        rr.timeCourseSelections = ["time", *sym.STATES]
        self.rr = rr
        self.setup_s = time.perf_counter() - t0
        # What a patient changes: the parameters that differ across the population, the initial
        # state and the jump amounts (the model's events read them as parameters).
        names = [str(s) for s in self.model.arguments]
        model_ids = set(rr.model.getGlobalParameterIds())
        varying = np.ptp(p.args, axis=0) > 0
        self.param_ids = [n for n, v in zip(names, varying, strict=True) if v and n in model_ids]
        self.param_cols = [names.index(n) for n in self.param_ids]
        self.jump_ids = [[f"jump_D{k}", f"jump_T{k}", f"jump_R{k}", f"x_mature{k}",
                          f"x_immature{k}"] for k in range(len(SESSION_DAYS) - 1)]

    def one(self, args: Array | None = None, y0: Array | None = None,
            jump: Array | None = None) -> Array:
        """Without arguments: the reference patient the model was built for (a user's call:
        reset and simulate); measured before any population patient changes the model."""
        rr = self.rr
        rr.reset()  # time 0, the model's initial state, parameters and event states
        if args is not None:  # a population patient; the reference patient is the model itself
            assert y0 is not None and jump is not None
            ids = (self.param_ids + [i for k in self.jump_ids for i in k] + ["phi_inf"]
                   + list(sym.STATES))
            values = [*args[self.param_cols], *np.tile(jump[:5], len(SESSION_DAYS) - 1),
                      jump[5], *apply_jump(y0, jump)]
            rr.setValues(ids, [float(v) for v in values])
        return np.asarray(rr.simulate(0.0, HORIZON, len(T_OUT)))[:, 1:]

    def finals(self, p: Problem, idx: NDArray[np.intp]) -> Array:
        return np.vstack([self.one(p.args[i], p.y0[i], p.jumps[i])[-1] for i in idx])


class Diffrax:
    """diffrax (an ESDIRK method) under jax.jit, split at the sessions; vmap for populations."""

    def __init__(self, solver: str, tighter: float = 1.0) -> None:
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        import diffrax as dfx

        self.jax, self.jnp, self.dfx = jax, jnp, dfx
        solver_name = solver
        rhs = sym.Mn14Symbolic().jax_function()
        atol = jnp.asarray(ATOL * tighter)
        edges = SESSION_DAYS + [HORIZON]
        segments = []
        for k in range(len(SESSION_DAYS)):
            ta, tb = edges[k], edges[k + 1]
            last = k == len(SESSION_DAYS) - 1
            ts = T_OUT[(T_OUT >= ta) & ((T_OUT <= tb) if last else (T_OUT < tb))]
            segments.append((ta, tb, jnp.asarray(ts if last else np.append(ts, tb)), last))
        i_d, i_t, i_r, i_n, i_m1, i_m2 = (sym.STATES.index(s)
                                          for s in ("D", "T", "R", "N", "M1", "M2"))
        immature = jnp.asarray([sym.STATES.index(s) for s in ("C3", "C1")])
        mature = jnp.asarray([sym.STATES.index(s) for s in ("Cm", "E")])

        def simulate(args: object, y0: object, jump: object) -> object:
            term = dfx.ODETerm(rhs)
            solver = getattr(dfx, solver_name)()
            controller = dfx.PIDController(rtol=RTOL * tighter, atol=atol)
            y, out = y0, []
            for ta, tb, ts, last in segments:  # unrolled: a static schedule compiles once
                friable = 1.0 + jump[5] * (y[i_n] + y[i_m1] + y[i_m2])
                y = y.at[i_d].add(jump[0]).at[i_t].add(jump[1]).at[i_r].add(jump[2])
                y = y.at[immature].multiply(jnp.exp(-jump[4] * friable))
                y = y.at[mature].multiply(jnp.exp(-jump[3] * friable))
                sol = dfx.diffeqsolve(term, solver, ta, tb, None, y, args=args,
                                      saveat=dfx.SaveAt(ts=ts), stepsize_controller=controller,
                                      max_steps=200_000)
                y = sol.ys[-1]
                out.append(sol.ys if last else sol.ys[:-1])
            return jnp.concatenate(out)

        self.single = jax.jit(simulate)
        self.batched = jax.jit(jax.vmap(simulate))
        self.setup_s = float("nan")

    def one(self, args: Array, y0: Array, jump: Array) -> Array:
        out = self.single(self.jnp.asarray(args), self.jnp.asarray(y0), self.jnp.asarray(jump))
        return np.asarray(out.block_until_ready())

    def finals(self, p: Problem, idx: NDArray[np.intp]) -> Array:
        jnp = self.jnp
        out = self.batched(jnp.asarray(p.args[idx]), jnp.asarray(p.y0[idx]),
                           jnp.asarray(p.jumps[idx]))
        return np.asarray(out.block_until_ready())[:, -1, :]


# ------------------------------------------------------------------------------ measuring
def measure_skinremodel(p: Problem, repeats: int, pop_repeats: int) -> tuple[list[Row], Array]:
    """Latency, and the population on 1 and 2 threads; also returns the final states."""
    one = median_seconds(lambda: sr.simulate(p.plan, sr.Patient(age=45), days=HORIZON), repeats)
    pop = p.population
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(pop_repeats):  # alternating, so a busy moment of the machine hits both
        for threads in (1, 2):
            t0 = time.perf_counter()
            res = sr.simulate_many(p.plan, pop.covariates, pop.params_matrix, [HORIZON],
                                   metrics=sr.STATE_NAMES, threads=threads)
            times[threads].append(time.perf_counter() - t0)
    finals = np.column_stack([res.values(s)[:, 0] for s in sr.STATE_NAMES])
    tight_error = final_error(p.ours[-1], p.tight[-1], p.scale)
    integrator = "Rodas5P (C++), analytic Jacobian, block LU"
    rows = [
        Row(peer="skinremodel", integrator=integrator,
            import_s=import_seconds("import skinremodel"), setup_s=0.0, one_ms=one * 1e3,
            pop_s=statistics.median(times[1]), pop_measured=len(pop), final_vs_ours=0.0,
            final_vs_tight=tight_error, pop_vs_ours=0.0,
            notes=["simulate(); simulate_many on 1 thread"]),
        Row(peer="skinremodel, 2 threads", integrator=integrator,
            pop_s=statistics.median(times[2]), pop_measured=len(pop), final_vs_ours=0.0,
            final_vs_tight=tight_error, pop_vs_ours=0.0,
            notes=["simulate_many on 2 threads"]),
    ]
    if res.n_failed:
        rows[1].notes.append(f"{res.n_failed} failed")
    return rows, finals


AGREEMENT = 1e-5  # required agreement of the final states with skinremodel's


def measure_peer(name: str, integrator: str, build: Callable[[float], object], import_stmt: str,
                 p: Problem, ours_finals: Array, repeats: int, sample: int,
                 reference_one: Callable[[object], Array]) -> Row:
    """Time and check one peer; ``build(tighter)`` makes it with tolerances scaled by tighter."""
    row = Row(peer=name, integrator=integrator, import_s=import_seconds(import_stmt))
    try:
        t0 = time.perf_counter()
        peer = build(1.0)
        setup = getattr(peer, "setup_s", float("nan"))
        trajectory = reference_one(peer)  # first call: includes jit compilation for diffrax
        first = time.perf_counter() - t0
        row.setup_s = setup if np.isfinite(setup) else first
        row.one_ms = median_seconds(lambda: reference_one(peer), repeats) * 1e3
        if not np.isfinite(setup):
            row.setup_s = max(first - row.one_ms / 1e3, 0.0)
        row.final_vs_ours = final_error(trajectory[-1], p.ours[-1], p.scale)
        row.final_vs_tight = final_error(trajectory[-1], p.tight[-1], p.scale)
        idx = np.arange(min(sample, len(p.population)))
        if isinstance(peer, Diffrax):  # compile the batched function first, at the sample size
            t0 = time.perf_counter()
            peer.finals(p, idx)
            row.notes.append(f"vmap compile + first run {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        finals = peer.finals(p, idx)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - t0
        row.pop_measured = len(idx)
        row.pop_s = elapsed * len(p.population) / len(idx)
        row.pop_vs_ours = final_error(finals, ours_finals[idx], p.scale)
        if len(idx) < len(p.population):
            scale = len(p.population) / len(idx)
            row.notes.append(f"{len(idx)} patients run, time scaled x{scale:g}")
        if max(row.final_vs_ours, row.pop_vs_ours) > AGREEMENT:
            # Whose error is it? The same peer 100 times tighter converges to the reference.
            final = reference_one(build(0.01))[-1]
            vs_ours = final_error(final, p.ours[-1], p.scale)
            vs_tight = final_error(final, p.tight[-1], p.scale)
            row.notes.append(f"at rtol 1e-8 (atol / 100): {vs_ours:.1e} vs skinremodel, "
                             f"{vs_tight:.1e} vs reference")
    except Exception as exc:  # noqa: BLE001 - a missing peer must not stop the others
        row.notes.append(f"failed: {type(exc).__name__}: {exc}")
    return row


# ------------------------------------------------------------------------------ report
def fmt(x: float, digits: int = 3) -> str:
    if not np.isfinite(x):
        return "-"
    return f"{x:.{digits}g}" if abs(x) < 1e4 else f"{x:.0f}"


def table(rows: list[Row], n: int) -> str:
    ours = rows[0]
    head = ("| peer | integrator | import s | setup / compile s | one simulation ms | "
            "x skinremodel | " + f"{n:,} patients s | x skinremodel (1 thread) | "
            "final states vs skinremodel | final states vs reference | notes |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        lines.append(
            f"| {r.peer} | {r.integrator} | {fmt(r.import_s, 2)} | {fmt(r.setup_s, 2)} | "
            f"{fmt(r.one_ms)} | {fmt(r.one_ms / ours.one_ms)} | {fmt(r.pop_s)} | "
            f"{fmt(r.pop_s / ours.pop_s)} | "
            f"{fmt(max(r.final_vs_ours, r.pop_vs_ours), 2)} | {fmt(r.final_vs_tight, 2)} | "
            f"{'; '.join(r.notes)} |")
    return "\n".join(lines)


def targets(rows: list[Row]) -> str:
    by = {r.peer: r for r in rows}
    ours, two = by["skinremodel"], by["skinremodel, 2 threads"]
    scipy_best = min((r.one_ms for r in rows if r.peer.startswith("scipy")), default=np.nan)
    checks = [
        ("one simulation vs best scipy method", scipy_best / ours.one_ms, 200),
        ("one simulation vs libRoadRunner", by["libRoadRunner"].one_ms / ours.one_ms, 10),
        ("one simulation vs diffrax", by["diffrax"].one_ms / ours.one_ms, 5),
        ("patients vs diffrax vmap (skinremodel on 2 threads)",
         by["diffrax"].pop_s / two.pop_s, 3),
        ("batch on 2 threads vs 1 thread", ours.pop_s / two.pop_s, 1.8),
    ]
    lines = ["| target | measured | required | met |", "|---|---|---|---|"]
    for label, value, need in checks:
        met = "yes" if value >= need else (f"no ({value / need:.0%} of it)"
                                           if np.isfinite(value) else "not measured")
        lines.append(f"| {label} | {fmt(value)}x | {need}x | {met} |")
    return "\n".join(lines)


def versions() -> str:
    out = []
    for dist in ("skinremodel", "numpy", "scipy", "sympy", "libroadrunner", "antimony", "jax",
                 "jaxlib", "diffrax"):
        try:
            out.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{dist} (not installed)")
    return ", ".join(out)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


DOCS = ROOT / "docs" / "performance.md"
BEGIN = "<!-- benchmarks/results/peers.md:begin (written by benchmarks/peers.py; do not edit) -->"
END = "<!-- benchmarks/results/peers.md:end -->"


def update_docs(text: str) -> bool:
    """Copy the results into docs/performance.md between its markers."""
    if not DOCS.exists():
        return False
    doc = DOCS.read_text()
    if BEGIN not in doc or END not in doc:
        return False
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{BEGIN}\n{text}{END}{tail}")
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--scipy-sample", type=int, default=20,
                    help="patients run by each scipy method")
    ap.add_argument("--roadrunner-sample", type=int, default=1000)
    ap.add_argument("--diffrax-sample", type=int, default=1000,
                    help="patients in diffrax's vmap (its compile time grows with it)")
    ap.add_argument("--diffrax-solver", default="Kvaerno3",
                    help="Kvaerno3 was the fastest of Kvaerno3/4/5 here, for one patient and vmap")
    ap.add_argument("--quick", action="store_true", help="smaller samples and fewer repeats")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "peers.md")
    a = ap.parse_args()
    if a.quick:
        a.scipy_sample, a.roadrunner_sample, a.diffrax_sample = 5, 200, 200
    repeats = {"skinremodel": 300, "scipy": 3 if a.quick else 7,
               "roadrunner": 30 if a.quick else 100, "diffrax": 5 if a.quick else 15}

    print(f"building the problem: {a.patients} virtual patients (seed {a.seed}) ...", flush=True)
    p = build_problem(a.patients, a.seed)
    eff0 = np.asarray(_core.effective_parameters(sr.Parameters.default().values_array,
                                                 sr.Patient(age=45)._to_core()))
    worst = sym.check_against_engine(sym.Mn14Symbolic(), eff0, np.random.default_rng(0))
    print(f"symbolic right-hand side and Jacobian vs the engine's: {worst:.1e} (relative)")
    assert worst < 1e-10, "the peers' equations differ from the engine's"

    rows, ours_finals = measure_skinremodel(p, repeats["skinremodel"], 1 if a.quick else 3)
    print(f"skinremodel: {rows[0].one_ms:.3f} ms per simulation; {a.patients} patients "
          f"{rows[0].pop_s:.2f} s (1 thread), {rows[1].pop_s:.2f} s (2 threads)", flush=True)
    def ref(peer: object) -> Array:
        return peer.one(p.ref_args, p.ref_y0, p.ref_jump)  # type: ignore[attr-defined]

    specs = [
        ("scipy LSODA", "solve_ivp LSODA, analytic Jacobian", lambda k: Scipy("LSODA", k),
         "import scipy.integrate", "scipy", a.scipy_sample, ref),
        ("scipy BDF", "solve_ivp BDF, analytic Jacobian", lambda k: Scipy("BDF", k),
         "import scipy.integrate", "scipy", a.scipy_sample, ref),
        ("libRoadRunner", "CVODE (BDF), events in the model", lambda k: RoadRunner(p, k),
         "import roadrunner, antimony", "roadrunner", a.roadrunner_sample,
         lambda peer: peer.one()),
        ("diffrax", f"{a.diffrax_solver} (ESDIRK), jit; vmap for patients",
         lambda k: Diffrax(a.diffrax_solver, k), "import jax, diffrax", "diffrax", a.diffrax_sample,
         ref),
    ]
    for name, integrator, build, stmt, key, sample, one in specs:
        print(f"{name} ...", flush=True)
        row = measure_peer(name, integrator, build, stmt, p, ours_finals, repeats[key], sample,
                           one)
        print(f"  {fmt(row.one_ms)} ms per simulation; {a.patients} patients {fmt(row.pop_s)} s; "
              f"final states vs skinremodel {fmt(row.final_vs_ours, 2)}; {'; '.join(row.notes)}",
              flush=True)
        rows.append(row)

    text = "\n".join([
        f"Measured by `python benchmarks/peers.py{' --quick' if a.quick else ''}` on "
        f"{time.strftime('%Y-%m-%d')}: {cpu_name()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {versions()}.",
        "",
        f"Problem: MN-14, a 45-year-old with default parameters, 6 sessions every 28 days at "
        f"1.5 mm, 365 days, daily output (366 x 14). Population: {a.patients:,} virtual patients "
        f"(sr.Population, seed {a.seed}; ages, covariates, log-normal variability of 5 "
        f"parameters). Tolerances: rtol {RTOL:g}, skinremodel's per-state default atol, for "
        "every peer. Times are medians after warm-up; \"x skinremodel\" is the peer's time over "
        "skinremodel's (larger is slower). Final-state columns: largest relative difference at "
        "day 365 (floor 1e-3 of each state's peak), over the reference patient and the "
        "patients the peer ran; the reference is skinremodel at rtol 1e-10.",
        "",
        table(rows, a.patients),
        "",
        targets(rows),
        "",
    ])
    print()
    print(text)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text)
    print(f"written to {a.out}")
    if a.out.resolve() == (ROOT / "benchmarks" / "results" / "peers.md").resolve() and \
            update_docs(text):
        print(f"and copied into {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
