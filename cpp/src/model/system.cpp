#include "skinremodel/model/system.hpp"

#include <cmath>

namespace skinremodel {

Mn14System::Mn14System(const Params& effective) : p_(effective), d_(derived_constants(effective)) {}

void Mn14System::jacobian(const State& y, double t, Jacobian& J, State& dfdt) const {
    J.setZero();
    jacobian_entries(y, t, J, dfdt);
}

// Hand-derived from rhs() in model.hpp; a Catch2 test checks it against central finite differences
// and against dual-number differentiation of rhs(), so the two cannot drift apart unnoticed.
void Mn14System::jacobian_entries(const State& y, double t, Jacobian& J, State& dfdt) const {
    ++jacobian_evaluations_;
    const Params& p = p_;
    const double D = y[iD], N = y[iN], M1 = y[iM1], M2 = y[iM2], Tg = y[iT], F = y[iF];
    const double Mf = y[iMf], P = y[iP], C3 = y[iC3], C1 = y[iC1], Cf = y[iCf], Cm = y[iCm];
    const double E = y[iE];

    dfdt.fill(0.0);

    const double h = Tg / (1.0 + Tg);
    const double hT = 1.0 / ((1.0 + Tg) * (1.0 + Tg));
    const double df3 = d_.df3;
    const double f3 = p[p_f3_0] + df3 * h;
    const double C = C3 + C1 + Cf + Cm;
    const double Cset = collagen_setpoint(p, t);
    const double dCset_dt = -p[p_beta_age] / 365.0;
    const double ratio_pow = power(Cset / C, p[p_nG]);
    const double S0 = d_.sC0 * F * ratio_pow;
    const double dS0_dF = d_.sC0 * ratio_pow;
    const double dS0_dC = -p[p_nG] * S0 / C;
    const double dS0_dt = p[p_nG] * S0 / Cset * dCset_dt;
    const double gw = d_.gain_w;
    const double cells = F + p[p_eta] * Mf;
    const double Sw = gw * cells * h;
    const double dSw_dF = gw * h;
    const double dSw_dMf = gw * p[p_eta] * h;
    const double dSw_dT = gw * cells * hT;
    const double S = S0 + Sw;

    // (1) damage
    J(iD, iD) = -(p[p_k_D] + p[p_k_DN] * N + p[p_k_DM] * M1);
    J(iD, iN) = -p[p_k_DN] * D;
    J(iD, iM1) = -p[p_k_DM] * D;
    // (2) neutrophils
    const double KD = p[p_K_D] + D;
    J(iN, iD) = p[p_r_N] * p[p_K_D] / (KD * KD);
    J(iN, iN) = -p[p_d_N] - p[p_k_eff] * (M1 + M2);
    J(iN, iM1) = -p[p_k_eff] * N;
    J(iN, iM2) = -p[p_k_eff] * N;
    // (3) M1 macrophages, recruited by X = D + a_MN N
    const double X = D + p[p_a_MN] * N;
    const double KX = p[p_K_M] + X;
    const double dRec = p[p_r_M] * p[p_K_M] / (KX * KX);
    J(iM1, iD) = dRec;
    J(iM1, iN) = dRec * p[p_a_MN];
    J(iM1, iM1) = -d_.loss_M1;
    // (4) M2 macrophages
    J(iM2, iM1) = p[p_k_12];
    J(iM2, iM2) = -p[p_d_M2];
    // (5) growth factor
    J(iT, iM1) = p[p_s_1];
    J(iT, iM2) = p[p_s_2];
    J(iT, iMf) = p[p_s_f];
    J(iT, iT) = -p[p_d_T];
    // (6) fibroblasts
    const double crowd = 1.0 - (F + Mf) / p[p_K_F];
    J(iF, iT) = hT * (p[p_r_F] * F * crowd - p[p_k_FM] * F);
    J(iF, iF) = p[p_r_F] * h * crowd - p[p_r_F] * h * F / p[p_K_F] - p[p_lam_F] - p[p_k_FM] * h;
    J(iF, iMf) = -p[p_r_F] * h * F / p[p_K_F];
    // (7) myofibroblasts
    J(iMf, iT) = p[p_k_FM] * hT * F;
    J(iMf, iF) = p[p_k_FM] * h;
    J(iMf, iMf) = -p[p_d_Mf];
    // (8) MMP
    J(iP, iF) = p[p_d_P] * p[p_P_b];
    J(iP, iMf) = p[p_d_P] * p[p_P_b] * p[p_nu_f];
    J(iP, iN) = p[p_d_P] * p[p_nu_N];
    J(iP, iM1) = p[p_d_P] * p[p_nu_1];
    J(iP, iM2) = p[p_d_P] * p[p_nu_2];
    J(iP, iP) = -p[p_d_P];
    // (9) immature collagen III
    const double g3 = 1.0 - f3;
    J(iC3, iT) = df3 * hT * S + f3 * dSw_dT;
    J(iC3, iF) = f3 * (dS0_dF + dSw_dF);
    J(iC3, iMf) = f3 * dSw_dMf;
    J(iC3, iP) = -p[p_k_3] * C3;
    J(iC3, iC3) = f3 * dS0_dC - (p[p_k_3] * P + p[p_k_m3]);
    J(iC3, iC1) = f3 * dS0_dC;
    J(iC3, iCf) = f3 * dS0_dC;
    J(iC3, iCm) = f3 * dS0_dC;
    dfdt[iC3] = f3 * dS0_dt;
    // (10) immature collagen I
    J(iC1, iT) = -df3 * hT * S + g3 * dSw_dT;
    J(iC1, iF) = g3 * (dS0_dF + dSw_dF);
    J(iC1, iMf) = g3 * dSw_dMf;
    J(iC1, iP) = -p[p_k_1] * C1;
    J(iC1, iC3) = g3 * dS0_dC;
    J(iC1, iC1) = g3 * dS0_dC - (p[p_k_1] * P + p[p_k_mat]);
    J(iC1, iCf) = g3 * dS0_dC;
    J(iC1, iCm) = g3 * dS0_dC;
    dfdt[iC1] = g3 * dS0_dt;
    // (11) fibrillar collagen, not yet cross-linked
    J(iCf, iC3) = p[p_k_m3];
    J(iCf, iC1) = p[p_k_mat];
    J(iCf, iCf) = -(p[p_k_f] * P + p[p_k_x]);
    J(iCf, iP) = -p[p_k_f] * Cf;
    // (12) mature cross-linked collagen
    J(iCm, iCf) = p[p_k_x];
    J(iCm, iCm) = -p[p_k_m] * P;
    J(iCm, iP) = -p[p_k_m] * Cm;
    // (13) tropoelastin, with repair sp(1 - E); sp'(x) is the logistic function of x/eps
    const double gE = d_.gain_Ew;
    const double gain = d_.repair_gain;
    const double deficit = 1.0 - E;
    const double eps = p[p_eps_sp];
    J(iEt, iF) = d_.sE0 + gE * h + gain * smooth_ramp(deficit, eps);
    J(iEt, iE) = -gain * F / (1.0 + std::exp(-deficit / eps));
    J(iEt, iMf) = gE * p[p_eta] * h;
    J(iEt, iT) = gE * cells * hT;
    J(iEt, iEt) = -d_.loss_Et;
    // (14) mature elastin
    J(iE, iEt) = p[p_k_Ex];
    J(iE, iE) = -(p[p_k_E0] + p[p_k_EI] * (N + M1));
    J(iE, iN) = -p[p_k_EI] * E;
    J(iE, iM1) = -p[p_k_EI] * E;
    // (15) redness
    J(iR, iN) = p[p_k_R] * p[p_al_N];
    J(iR, iM1) = p[p_k_R] * p[p_al_M];
    J(iR, iR) = -p[p_k_R];
}

}  // namespace skinremodel
