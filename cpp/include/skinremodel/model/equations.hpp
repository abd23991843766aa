// The MN-14 equations (design sections 2.3-2.6, revision 2 of docs/model.md), written once as
// templates on the scalar type so that the same code gives double values and, with dual numbers,
// exact derivatives.
#pragma once

#include <cmath>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/state.hpp"
#include "skinremodel/numerics/scalar.hpp"
#include "skinremodel/numerics/softplus.hpp"

namespace skinremodel {

// Constants that follow from the effective parameters: maintenance synthesis rates chosen so that
// the untreated patient is at steady state (section 2.6), and the parameter-only factors of the
// right-hand side, computed once per simulation instead of in every evaluation. Each factor is the
// leading part of an expression of rhs() as it was written with parameters (a product's first
// factors, a parenthesised sum), so rhs() computes the same values with them.
template <class T>
struct Derived {
    T sC0;          // maintenance collagen synthesis, /d
    T sE0;          // maintenance tropoelastin synthesis, /d
    T C3_0;         // baseline immature collagen III
    T C1_0;         // baseline immature collagen I
    T Cf_0;         // baseline fibrillar, not yet cross-linked collagen
    T Et_0;         // baseline tropoelastin
    T df3;          // f3_max - f3_0
    T gain_w;       // s_w a_C a_W: injury-driven collagen synthesis per cell and activation
    T gain_Ew;      // a_E s_Ew: injury-driven tropoelastin synthesis per cell and activation
    T repair_gain;  // elastin_repair_gain(p)
    T loss_M1;      // k_12 + d_M1
    T loss_Et;      // k_Ex + k_Et
};

// Tropoelastin synthesis per unit of elastin deficit, (k_Ex + k_Et) / (k_Ex tau_Er): only the share
// k_Ex / (k_Ex + k_Et) of tropoelastin is cross-linked, so this closes a deficit at rate 1/tau_Er.
template <class T>
T elastin_repair_gain(const ParamArray<T>& p) {
    return (p[p_k_Ex] + p[p_k_Et]) / (p[p_k_Ex] * p[p_tau_Er]);
}

template <class T>
Derived<T> derived_constants(const ParamArray<T>& p) {
    const T Pb = p[p_P_b];
    const T loss3 = p[p_k_3] * Pb + p[p_k_m3];   // exit rate of C3 at rest
    const T loss1 = p[p_k_1] * Pb + p[p_k_mat];  // exit rate of C1 at rest
    const T lossf = p[p_k_f] * Pb + p[p_k_x];    // exit rate of Cf at rest
    const T f3 = p[p_f3_0];
    // Per unit of synthesis: a = flux into the fibrils, B = residence in the new pools C3 + C1.
    const T a = f3 * p[p_k_m3] / loss3 + (1.0 - f3) * p[p_k_mat] / loss1;
    const T B = f3 / loss3 + (1.0 - f3) / loss1;
    // Per unit of synthesis, Cf = a / lossf and the flux into Cm is a k_x / lossf; the mature pool
    // Cm = a k_x / (lossf k_m Pb) then makes the total C3 + C1 + Cf + Cm equal to 1.
    const T kmP = p[p_k_m] * Pb;
    const T toCm = a * p[p_k_x] / lossf;
    Derived<T> d;
    d.sC0 = kmP / (toCm + kmP * (B + a / lossf));
    d.C3_0 = f3 * d.sC0 / loss3;
    d.C1_0 = (1.0 - f3) * d.sC0 / loss1;
    d.Cf_0 = a * d.sC0 / lossf;
    d.loss_Et = p[p_k_Ex] + p[p_k_Et];
    d.sE0 = p[p_k_E0] * d.loss_Et / p[p_k_Ex];
    d.Et_0 = d.sE0 / d.loss_Et;
    d.df3 = p[p_f3_max] - p[p_f3_0];
    d.gain_w = p[p_s_w] * p[p_a_C] * p[p_a_W];
    d.gain_Ew = p[p_a_E] * p[p_s_Ew];
    d.repair_gain = elastin_repair_gain(p);
    d.loss_M1 = p[p_k_12] + p[p_d_M1];
    return d;
}

// The patient's pre-treatment steady state (closed form, section 2.6).
template <class T>
StateArray<T> baseline_state(const ParamArray<T>& p, const Derived<T>& d) {
    StateArray<T> y;
    for (auto& v : y) v = T(0.0);
    y[iF] = T(1.0);
    y[iP] = p[p_P_b];
    y[iC3] = d.C3_0;
    y[iC1] = d.C1_0;
    y[iCf] = d.Cf_0;
    y[iCm] = 1.0 - d.C3_0 - d.C1_0 - d.Cf_0;
    y[iEt] = d.Et_0;
    y[iE] = T(1.0);
    return y;
}

// Homeostatic collagen set-point C_set(t) = 1 - beta_age * t / 365 (t in days, beta per year).
template <class T>
T collagen_setpoint(const ParamArray<T>& p, double t) {
    return 1.0 - p[p_beta_age] * (t / 365.0);
}
// Without the optional drift (beta_age = 0, the default) the set-point is exactly 1; dual numbers
// keep the general form for the derivative in beta_age.
inline double collagen_setpoint(const Params& p, double t) {
    return p[p_beta_age] == 0.0 ? 1.0 : 1.0 - p[p_beta_age] * (t / 365.0);
}

// Smooth ramp sp(x) = eps*ln(1 + exp(x/eps)) - eps*ln 2, evaluated without overflow.
template <class T>
T smooth_ramp(const T& x, const T& eps) {
    using std::exp;
    using std::log1p;
    const T z = x / eps;
    const T softplus = z > 0.0 ? z + log1p(exp(-z)) : log1p(exp(z));
    return eps * (softplus - 0.6931471805599453);
}
// For double, softplus without exp and log1p (numerics/softplus.hpp: the same values but for
// rounding, at a fraction of the cost); dual numbers keep the form above for their derivatives.
// sp(0) = 0 exactly, as above.
inline double smooth_ramp(double x, double eps) {
    if (x == 0.0) return 0.0;
    return eps * (numerics::softplus(x / eps) - 0.6931471805599453);
}

// x^n. For double, the common integer exponents avoid the cost of pow (a third of the right-hand
// side otherwise); dual numbers always take the general form so d/dn is kept.
template <class T>
T power(const T& x, const T& n) {
    using std::pow;
    return pow(x, n);
}
inline double power(double x, double n) {
    if (n == 2.0) return x * x;
    if (n == 1.0) return x;
    return std::pow(x, n);
}

// Right-hand side dy/dt of the 15 states (section 2.4 and docs/model.md).
template <class T>
void rhs(const StateArray<T>& y, const ParamArray<T>& p, const Derived<T>& d, double t,
         StateArray<T>& dy) {
    const T& D = y[iD];
    const T& N = y[iN];
    const T& M1 = y[iM1];
    const T& M2 = y[iM2];
    const T& Tg = y[iT];
    const T& F = y[iF];
    const T& Mf = y[iMf];
    const T& P = y[iP];
    const T& C3 = y[iC3];
    const T& C1 = y[iC1];
    const T& Cf = y[iCf];
    const T& Cm = y[iCm];
    const T& Et = y[iEt];
    const T& E = y[iE];
    const T& R = y[iR];

    const T h = Tg / (1.0 + Tg);         // growth-factor activation
    const T f3 = p[p_f3_0] + d.df3 * h;  // type-III share of synthesis
    const T C = C3 + C1 + Cf + Cm;
    const T Cset = collagen_setpoint(p, t);
    const T S0 = d.sC0 * F * power(Cset / C, p[p_nG]);  // maintenance synthesis
    const T cells = F + p[p_eta] * Mf;                  // synthesis-weighted cells
    const T Sw = d.gain_w * cells * h;                  // injury-driven synthesis
    const T S = S0 + Sw;
    const T X = D + p[p_a_MN] * N;

    dy[iD] = -(p[p_k_D] + p[p_k_DN] * N + p[p_k_DM] * M1) * D;
    dy[iN] = p[p_r_N] * D / (p[p_K_D] + D) - p[p_d_N] * N - p[p_k_eff] * (M1 + M2) * N;
    dy[iM1] = p[p_r_M] * X / (p[p_K_M] + X) - d.loss_M1 * M1;
    dy[iM2] = p[p_k_12] * M1 - p[p_d_M2] * M2;
    dy[iT] = p[p_s_1] * M1 + p[p_s_2] * M2 + p[p_s_f] * Mf - p[p_d_T] * Tg;
    dy[iF] =
        p[p_r_F] * h * F * (1.0 - (F + Mf) / p[p_K_F]) + p[p_lam_F] * (1.0 - F) - p[p_k_FM] * h * F;
    dy[iMf] = p[p_k_FM] * h * F - p[p_d_Mf] * Mf;
    dy[iP] = p[p_d_P] * (p[p_P_b] * (F + p[p_nu_f] * Mf) + p[p_nu_N] * N + p[p_nu_1] * M1 +
                         p[p_nu_2] * M2 - P);
    dy[iC3] = f3 * S - (p[p_k_3] * P + p[p_k_m3]) * C3;
    dy[iC1] = (1.0 - f3) * S - (p[p_k_1] * P + p[p_k_mat]) * C1;
    dy[iCf] = p[p_k_mat] * C1 + p[p_k_m3] * C3 - (p[p_k_f] * P + p[p_k_x]) * Cf;
    dy[iCm] = p[p_k_x] * Cf - p[p_k_m] * P * Cm;
    // Elastin repair: fibroblasts raise tropoelastin synthesis in proportion to the deficit of
    // mature elastin, scaled so that the deficit closes with time constant tau_Er.
    const T repair = d.repair_gain * F * smooth_ramp(1.0 - E, p[p_eps_sp]);
    dy[iEt] = d.sE0 * F + d.gain_Ew * cells * h + repair - d.loss_Et * Et;
    dy[iE] = p[p_k_Ex] * Et - (p[p_k_E0] + p[p_k_EI] * (N + M1)) * E;
    dy[iR] = p[p_k_R] * (p[p_al_N] * N + p[p_al_M] * M1 - R);
}

// Session dose (section 2.5): injured volume fraction u relative to the reference session, and the
// vascular factor v that scales immediate redness with depth.
template <class T>
struct Dose {
    T u;
    T v;
};

template <class T>
T injured_volume_fraction(const T& depth_mm, const T& density_per_cm2, const T& needle_diameter_mm,
                          const ParamArray<T>& p) {
    using std::exp;
    const double kPi = 3.141592653589793;
    const T radius = 0.5 * needle_diameter_mm + p[p_r_h];          // mm, incl. halo
    const T area = kPi * radius * radius;                          // mm^2 per puncture
    const T theta = 1.0 - exp(-(density_per_cm2 / 100.0) * area);  // injured surface
    const T dermal =
        numerics::smax(p[p_eta_pen] * depth_mm - p[p_e_epi], T(0.0));  // mm below epidermis
    return theta * numerics::smin(dermal, p[p_H]) / p[p_H];
}

template <class T>
Dose<T> session_dose(const T& depth_mm, const T& density_per_cm2, const T& needle_diameter_mm,
                     const T& dose_scale, const ParamArray<T>& p) {
    using std::pow;
    const T reference = injured_volume_fraction(p[p_L_ref], p[p_rho_ref], needle_diameter_mm, p);
    Dose<T> dose;
    dose.u = dose_scale *
             injured_volume_fraction(depth_mm, density_per_cm2, needle_diameter_mm, p) / reference;
    // d_eff / d_eff,ref = L / L_ref: the penetration factor cancels.
    dose.v = pow(depth_mm / p[p_L_ref], p[p_gam_v]);
    return dose;
}

// State right after a session (section 2.5, plus the spacing mechanism of docs/model.md): damage
// and growth factor are added and immediate redness appears. Needles push mature matrix aside
// rather than remove it: mature collagen and elastin are lost only afterwards, through the
// proteases and elastases of the inflammation the session starts (k_m P, k_EI (N + M1)). Fresh,
// not yet cross-linked collagen (C3, C1, Cf) is fragile and is disrupted throughout the injured
// volume (chi_imm per unit dose); tissue that is still inflamed is more friable, so the disrupted
// fraction grows by the factor 1 + phi_inf (N + M1 + M2) of the inflammation present.
template <class T>
StateArray<T> apply_session(const StateArray<T>& y, const ParamArray<T>& p, const Dose<T>& dose) {
    using std::exp;
    StateArray<T> out = y;
    const T friable = 1.0 + p[p_phi_inf] * (y[iN] + y[iM1] + y[iM2]);
    out[iD] += p[p_kap_D] * dose.u;
    out[iT] += p[p_kap_T] * dose.u;
    // Survival fraction exp(-x): never negative however large the dose or the inflammation.
    const T kept_immature = exp(-p[p_chi_imm] * dose.u * friable);
    out[iC3] *= kept_immature;
    out[iC1] *= kept_immature;
    out[iCf] *= kept_immature;
    out[iR] += p[p_al_V] * dose.u * dose.v;
    return out;
}

}  // namespace skinremodel
