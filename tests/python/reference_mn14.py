"""An independent reference implementation of MN-14 for verification.

Written from the design document (``model-mn14.md``, sections 2.3-2.7) and the revision-2
equations of ``docs/model.md`` (fibrillar pool Cf, elastin repair, no session loss of mature
matrix), not from the C++ code:
its own covariate rules, dose function, baseline, right-hand side and session jumps, integrated
piecewise with ``scipy.integrate.solve_ivp(method="Radau")``. Parameter *values* come from the
shipped data file (read with the csv module, not through the package).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

DATA = Path(__file__).resolve().parents[2] / "python" / "skinremodel" / "data" / "parameters.csv"
STATES = ("D", "N", "M1", "M2", "T", "F", "Mf", "P", "C3", "C1", "Cf", "Cm", "Et", "E", "R")


def default_values() -> dict[str, float]:
    with open(DATA, newline="", encoding="utf-8") as f:
        return {row["name"]: float(row["value"]) for row in csv.DictReader(f)}


def covariates(
    p: dict[str, float],
    age: float = 45.0,
    diabetes: str = "none",
    vitamin_c: str = "replete",
    phototype: int = 2,
    smoker: bool = False,
    photoaged: bool = False,
    reactive_skin: bool = False,
    acne_scars: bool = False,
) -> dict[str, float]:
    """Design section 2.7, applied to a copy of p."""
    q = dict(p)
    a = max(0.0, age - p["cov_age_onset"])
    s = {"none": 0.0, "controlled": p["cov_dm_controlled"], "poor": 1.0}[diabetes]
    vitc = {
        "deficient": p["cov_vitc_deficient"],
        "replete": 1.0,
        "supplemented": p["cov_vitc_supplemented"],
    }[vitamin_c]
    q["a_C"] = (
        p["a_C"]
        * max(p["cov_age_aC_floor"], 1 - p["cov_age_aC_slope"] * a)
        * (1 - p["cov_dm_aC"] * s)
        * vitc
    )
    q["r_F"] = (
        p["r_F"]
        * max(p["cov_age_rF_floor"], 1 - p["cov_age_rF_slope"] * a)
        * (1 - p["cov_dm_rF"] * s)
    )
    q["P_b"] = (
        p["P_b"]
        * (1 + p["cov_age_Pb_slope"] * a)
        * (1 + p["cov_dm_Pb"] * s)
        * (p["cov_photo_Pb"] if photoaged else 1.0)
    )
    q["a_E"] = (
        p["a_E"] * math.exp(-a / p["cov_age_aE_scale"]) * (p["cov_photo_aE"] if photoaged else 1.0)
    )
    q["k_DM"] = (
        p["k_DM"]
        * max(p["cov_age_kDM_floor"], 1 - p["cov_age_kDM_slope"] * a)
        * (1 - p["cov_dm_kDM"] * s)
    )
    q["k_12"] = p["k_12"] * (1 - p["cov_dm_k12"] * s)
    q["d_M1"] = p["d_M1"] * (1 - p["cov_dm_dM1"] * s)
    q["d_N"] = p["d_N"] * (1 - p["cov_dm_dN"] * s)
    for k in ("s_1", "s_2", "s_f"):
        q[k] = p[k] * (1 - p["cov_dm_s"] * s)
    for k in ("nu_N", "nu_1", "nu_2"):
        q[k] = p[k] * (1 + p["cov_dm_nu"] * s)
    q["k_m"] = p["k_m"] * (1 - p["cov_dm_km"] * s)
    if vitamin_c == "deficient":
        q["k_mat"] = p["k_mat"] * vitc
    if reactive_skin:
        q["al_V"] = p["al_V"] * p["cov_reactive_alV"]
        q["R_vis"] = p["R_vis"] * p["cov_reactive_Rvis"]
    if phototype >= 5:
        q["R_vis"] = q["R_vis"] * p["cov_phototype_Rvis"]
    elif phototype == 4:
        q["R_vis"] = q["R_vis"] * (1 + 0.5 * (p["cov_phototype_Rvis"] - 1))
    if smoker:
        q["a_W"] = p["a_W"] * p["cov_smoke_aW"]
    if acne_scars:
        q["g_scale"] = p["g_scale"] * (1 - p["cov_acne_deficit"]) / p["cov_acne_deficit"]
    return q


def maintenance_rates(p: dict[str, float]) -> tuple[float, float]:
    """Section 2.6: maintenance synthesis of collagen (sC0) and tropoelastin (sE0).

    sC0 solves C3 + C1 + Cf + Cm = 1 at steady state, each pool being its inflow over its
    exit rate (numerically here, by one linear solve, rather than the engine's closed form).
    """
    Pb = p["P_b"]
    l3 = p["k_3"] * Pb + p["k_m3"]
    l1 = p["k_1"] * Pb + p["k_mat"]
    lf = p["k_f"] * Pb + p["k_x"]
    f3 = p["f3_0"]
    c3, c1 = f3 / l3, (1 - f3) / l1  # per unit synthesis
    cf = (p["k_m3"] * c3 + p["k_mat"] * c1) / lf
    cm = p["k_x"] * cf / (p["k_m"] * Pb)
    sC0 = 1.0 / (c3 + c1 + cf + cm)
    sE0 = p["k_E0"] * (p["k_Ex"] + p["k_Et"]) / p["k_Ex"]
    return sC0, sE0


def baseline(p: dict[str, float]) -> np.ndarray:
    """Section 2.6."""
    Pb = p["P_b"]
    sC0, sE0 = maintenance_rates(p)
    C3 = p["f3_0"] * sC0 / (p["k_3"] * Pb + p["k_m3"])
    C1 = (1 - p["f3_0"]) * sC0 / (p["k_1"] * Pb + p["k_mat"])
    Cf = (p["k_m3"] * C3 + p["k_mat"] * C1) / (p["k_f"] * Pb + p["k_x"])
    Cm = p["k_x"] * Cf / (p["k_m"] * Pb)
    y = dict.fromkeys(STATES, 0.0)
    y.update(F=1.0, P=Pb, C3=C3, C1=C1, Cf=Cf, Cm=Cm, Et=sE0 / (p["k_Ex"] + p["k_Et"]), E=1.0)
    return np.array([y[s] for s in STATES])


def make_rhs(p: dict[str, float]):
    """Section 2.4 as a function f(t, y) for solve_ivp."""
    sC0, sE0 = maintenance_rates(p)
    eps = p["eps_sp"]

    # Repair: tropoelastin synthesis that closes an elastin deficit at rate 1/tau_Er once the
    # share k_Ex / (k_Ex + k_Et) of tropoelastin that cross-links is accounted for.
    repair_gain = (p["k_Ex"] + p["k_Et"]) / (p["k_Ex"] * p["tau_Er"])

    def sp(x: float) -> float:
        # eps*ln(1+exp(x/eps)) - eps*ln(2), written with logaddexp for stability
        return eps * np.logaddexp(0.0, x / eps) - eps * math.log(2.0)

    def f(t: float, y: np.ndarray) -> np.ndarray:
        D, N, M1, M2, T, F, Mf, P, C3, C1, Cf, Cm, Et, E, R = y
        h = T / (1 + T)
        f3 = p["f3_0"] + (p["f3_max"] - p["f3_0"]) * h
        C = C3 + C1 + Cf + Cm
        Cset = 1 - p["beta_age"] * t / 365.0
        S = (
            sC0 * F * (Cset / C) ** p["nG"]
            + p["s_w"] * p["a_C"] * p["a_W"] * (F + p["eta"] * Mf) * h
        )
        X = D + p["a_MN"] * N
        return np.array(
            [
                -(p["k_D"] + p["k_DN"] * N + p["k_DM"] * M1) * D,
                p["r_N"] * D / (p["K_D"] + D) - p["d_N"] * N - p["k_eff"] * (M1 + M2) * N,
                p["r_M"] * X / (p["K_M"] + X) - (p["k_12"] + p["d_M1"]) * M1,
                p["k_12"] * M1 - p["d_M2"] * M2,
                p["s_1"] * M1 + p["s_2"] * M2 + p["s_f"] * Mf - p["d_T"] * T,
                p["r_F"] * h * F * (1 - (F + Mf) / p["K_F"])
                + p["lam_F"] * (1 - F)
                - p["k_FM"] * h * F,
                p["k_FM"] * h * F - p["d_Mf"] * Mf,
                p["d_P"]
                * (
                    p["P_b"] * (F + p["nu_f"] * Mf)
                    + p["nu_N"] * N
                    + p["nu_1"] * M1
                    + p["nu_2"] * M2
                    - P
                ),
                f3 * S - (p["k_3"] * P + p["k_m3"]) * C3,
                (1 - f3) * S - (p["k_1"] * P + p["k_mat"]) * C1,
                p["k_mat"] * C1 + p["k_m3"] * C3 - (p["k_f"] * P + p["k_x"]) * Cf,
                p["k_x"] * Cf - p["k_m"] * P * Cm,
                sE0 * F
                + p["a_E"] * p["s_Ew"] * (F + p["eta"] * Mf) * h
                + repair_gain * F * sp(1 - E)
                - (p["k_Ex"] + p["k_Et"]) * Et,
                p["k_Ex"] * Et - (p["k_E0"] + p["k_EI"] * (N + M1)) * E,
                p["k_R"] * (p["al_N"] * N + p["al_M"] * M1 - R),
            ]
        )

    return f


def dose(
    p: dict[str, float], depth: float, density: float = 250.0, diameter: float | None = None
) -> tuple[float, float]:
    """Section 2.5: (u, v)."""
    w = p["w"] if diameter is None else diameter

    def u_raw(L: float, rho: float) -> float:
        theta = 1 - math.exp(-(rho / 100.0) * math.pi * (w / 2 + p["r_h"]) ** 2)
        d_derm = max(0.0, p["eta_pen"] * L - p["e_epi"])
        return theta * min(d_derm, p["H"]) / p["H"]

    u = u_raw(depth, density) / u_raw(p["L_ref"], p["rho_ref"])
    v = (p["eta_pen"] * depth / (p["eta_pen"] * p["L_ref"])) ** p["gam_v"]
    return u, v


def jump(p: dict[str, float], y: np.ndarray, u: float, v: float) -> np.ndarray:
    """Session jump of docs/model.md (design 2.5 plus the spacing mechanism)."""
    out = y.copy()
    i = {s: k for k, s in enumerate(STATES)}
    friable = 1 + p["phi_inf"] * (y[i["N"]] + y[i["M1"]] + y[i["M2"]])
    out[i["D"]] += p["kap_D"] * u
    out[i["T"]] += p["kap_T"] * u
    for s in (
        "C3",
        "C1",
        "Cf",
    ):  # not yet cross-linked matrix only: mature matrix is lost later, by proteolysis
        out[i[s]] *= math.exp(-p["chi_imm"] * u * friable)
    out[i["R"]] += p["al_V"] * u * v
    return out


def simulate_reference(
    session_days,
    depth_mm: float,
    horizon: float,
    patient: dict | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> tuple[np.ndarray, np.ndarray]:
    """Daily output 0..horizon; the value on a session day is the post-session state."""
    p = covariates(default_values(), **(patient or {}))
    f = make_rhs(p)
    t_out = np.arange(0.0, horizon + 1.0)
    y = baseline(p)
    days = sorted(d for d in session_days if d <= horizon)
    u, v = dose(p, depth_mm)
    edges = days + [horizon] if (days and days[0] == 0.0) else [0.0] + days + [horizon]
    rows = []
    for k in range(len(edges) - 1):
        ta, tb = edges[k], edges[k + 1]
        if ta in days:
            y = jump(p, y, u, v)
        last = k == len(edges) - 2
        ts = t_out[(t_out >= ta) & ((t_out <= tb) if last else (t_out < tb))]
        sol = solve_ivp(
            f,
            (ta, tb),
            y,
            method="Radau",
            t_eval=np.append(ts, tb) if not last else ts,
            rtol=rtol,
            atol=atol,
            dense_output=False,
        )
        assert sol.success, sol.message
        rows.append(sol.y[:, : len(ts)].T)
        y = sol.y[:, -1].copy()
    return t_out, np.vstack(rows)
