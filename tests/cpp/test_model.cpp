#include <cmath>

#include "catch.hpp"
#include "skinremodel/model/equations.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/numerics/dual.hpp"

using namespace skinremodel;
using catch_compat::Approx;

namespace {

// A state away from baseline where every term of the right-hand side is active.
State busy_state() {
    return {0.5, 0.3, 0.2, 0.25, 0.4, 1.3, 0.1, 1.8, 0.01, 0.03, 0.98, 0.002, 0.99, 0.3};
}

std::vector<Patient> patients() {
    std::vector<Patient> out;
    for (double age : {20.0, 30.0, 45.0, 60.0, 85.0}) {
        Patient p;
        p.age = age;
        out.push_back(p);
    }
    Patient dm;
    dm.diabetes = Diabetes::poor;
    dm.vitamin_c = VitaminC::deficient;
    dm.photoaged = true;
    dm.smoker = true;
    dm.reactive_skin = true;
    dm.phototype = 5;
    out.push_back(dm);
    Patient ctl;
    ctl.diabetes = Diabetes::controlled;
    ctl.vitamin_c = VitaminC::supplemented;
    out.push_back(ctl);
    return out;
}

}  // namespace

TEST_CASE("the closed-form baseline is a steady state for every kind of patient") {
    for (const Patient& patient : patients()) {
        const Mn14System sys(apply_covariates(default_parameters(), patient));
        const State y0 = sys.baseline();
        State dy;
        sys(y0, dy, 0.0);
        for (std::size_t i = 0; i < kNumStates; ++i) {
            INFO("age " << patient.age << ", state " << kStateNames[i]);
            CHECK(std::abs(dy[i]) < 1e-12);
        }
        double C = y0[iC3] + y0[iC1] + y0[iCf] + y0[iCm];
        CHECK(C == Approx(1.0).epsilon(1e-15));
    }
    // Design table 2.2 lists the baseline of a patient at the onset age (P_b = 1) with the
    // design's maturation rate (the calibration changed k_mat): about 1% of collagen newly
    // deposited, mostly type I, and tropoelastin about 5e-4. Revision 2 degrades part of the not
    // yet cross-linked fibrils (Cf), so maintenance synthesis, and with it the new pools, are
    // about 1.5x the design's; the fibrils hold under 2%.
    Patient young;
    young.age = 25;
    Params design = default_parameters();
    design[p_k_mat] = 0.015;
    const State y0 = Mn14System(apply_covariates(design, young)).baseline();
    const double fresh = y0[iC3] + y0[iC1];
    CHECK(fresh > 0.005);
    CHECK(fresh < 0.02);
    CHECK(y0[iC3] < y0[iC1]);  // type III is the minor share of new collagen
    CHECK(y0[iCf] > 0.0);
    CHECK(y0[iCf] < 0.02);
    CHECK(y0[iCm] > 0.96);
    CHECK(y0[iEt] == Approx(5e-4).margin(1e-4));
}

TEST_CASE("analytic Jacobian agrees with central finite differences") {
    Params p = apply_covariates(default_parameters(), Patient{});
    p[p_beta_age] = 0.01;  // exercise the time-dependent set-point too
    const Mn14System sys(p);
    const State y = busy_state();
    const double t = 100.0;
    Jacobian J;
    State dfdt;
    sys.jacobian(y, t, J, dfdt);
    for (std::size_t j = 0; j < kNumStates; ++j) {
        const double h = 1e-6 * std::max(1.0, std::abs(y[j]));
        State yp = y, ym = y, fp, fm;
        yp[j] += h;
        ym[j] -= h;
        sys(yp, fp, t);
        sys(ym, fm, t);
        for (std::size_t i = 0; i < kNumStates; ++i) {
            const double fd = (fp[i] - fm[i]) / (2 * h);
            INFO("d f[" << kStateNames[i] << "] / d " << kStateNames[j]);
            CHECK(J(i, j) == Approx(fd).epsilon(1e-6).margin(1e-8));
        }
    }
    State fp, fm;
    const double ht = 1e-3;
    sys(y, fp, t + ht);
    sys(y, fm, t - ht);
    for (std::size_t i = 0; i < kNumStates; ++i) {
        INFO("d f[" << kStateNames[i] << "] / dt");
        CHECK(dfdt[i] == Approx((fp[i] - fm[i]) / (2 * ht)).epsilon(1e-6).margin(1e-12));
    }
}

TEST_CASE("analytic Jacobian equals dual-number differentiation of the right-hand side") {
    using D = numerics::Dual<kNumStates>;
    const Params p = apply_covariates(default_parameters(), Patient{});
    const Mn14System sys(p);
    const State y = busy_state();
    Jacobian J;
    State dfdt;
    sys.jacobian(y, 3.0, J, dfdt);

    ParamArray<D> pd;
    for (std::size_t k = 0; k < kNumParams; ++k) pd[k] = D(p[k]);
    const Derived<D> dd = derived_constants(pd);
    StateArray<D> yd, fd;
    for (std::size_t j = 0; j < kNumStates; ++j) yd[j] = D::variable(y[j], j);
    rhs(yd, pd, dd, 3.0, fd);
    for (std::size_t i = 0; i < kNumStates; ++i)
        for (std::size_t j = 0; j < kNumStates; ++j) {
            INFO("d f[" << kStateNames[i] << "] / d " << kStateNames[j]);
            CHECK(J(i, j) == Approx(fd[i].d[j]).epsilon(1e-12).margin(1e-15));
        }
}

TEST_CASE("covariate rules follow design section 2.7") {
    const Params& p = default_parameters();
    SECTION("no change up to the onset age for a healthy non-smoker") {
        Patient young;
        young.age = 25;
        const Params q = apply_covariates(p, young);
        for (std::size_t k = 0; k < kNumParams; ++k) CHECK(q[k] == p[k]);
    }
    SECTION("age 58: 30 years past onset") {
        Patient old;
        old.age = 58;
        const Params q = apply_covariates(p, old);
        CHECK(q[p_a_C] == Approx(1 - 0.007 * 30));
        CHECK(q[p_r_F] == Approx(0.924 * (1 - 0.005 * 30)));
        CHECK(q[p_P_b] == Approx(1 + 0.01 * 30));
        CHECK(q[p_a_E] == Approx(std::exp(-1.0)));
        CHECK(q[p_k_DM] == Approx(1 - 0.005 * 30));
    }
    SECTION("the age factor of synthesis has a floor") {
        Patient oldest;
        oldest.age = 100;
        CHECK(apply_covariates(p, oldest)[p_a_C] == Approx(0.496));  // 1 - 0.007*72 = 0.496
        Params steep = p;
        steep[p_cov_age_aC_slope] = 0.02;
        CHECK(apply_covariates(steep, oldest)[p_a_C] == Approx(0.4));
    }
    SECTION("poorly controlled diabetes") {
        Patient dm;
        dm.age = 28;
        dm.diabetes = Diabetes::poor;
        const Params q = apply_covariates(p, dm);
        CHECK(q[p_k_12] == Approx(0.25));
        CHECK(q[p_d_M1] == Approx(0.3 * 0.7));
        CHECK(q[p_d_N] == Approx(0.7));
        CHECK(q[p_k_DM] == Approx(0.5));
        CHECK(q[p_s_2] == Approx(20 * 0.6));
        CHECK(q[p_nu_N] == Approx(6.0));
        CHECK(q[p_P_b] == Approx(1.5));
        CHECK(q[p_a_C] == Approx(0.75));
        CHECK(q[p_r_F] == Approx(0.924 * 0.7));
        CHECK(q[p_k_m] == Approx(1.27e-4 * 0.5));
    }
    SECTION("vitamin C deficiency slows synthesis and maturation; supplementation only synthesis") {
        Patient def;
        def.age = 28;
        def.vitamin_c = VitaminC::deficient;
        CHECK(apply_covariates(p, def)[p_a_C] == Approx(p[p_cov_vitc_deficient]));
        CHECK(apply_covariates(p, def)[p_k_mat] == Approx(p[p_k_mat] * p[p_cov_vitc_deficient]));
        Patient sup = def;
        sup.vitamin_c = VitaminC::supplemented;
        CHECK(apply_covariates(p, sup)[p_a_C] == Approx(p[p_cov_vitc_supplemented]));
        CHECK(apply_covariates(p, sup)[p_k_mat] == Approx(p[p_k_mat]));
    }
    SECTION("skin type, reactivity and smoking") {
        Patient s;
        s.age = 28;
        s.phototype = 6;
        s.reactive_skin = true;
        s.smoker = true;
        const Params q = apply_covariates(p, s);
        CHECK(q[p_R_vis] == Approx(0.05 * 0.7 * 1.5));
        CHECK(q[p_al_V] == Approx(1.5));
        CHECK(q[p_a_W] == Approx(0.8));
        s.phototype = 4;
        s.reactive_skin = false;
        CHECK(apply_covariates(p, s)[p_R_vis] == Approx(0.05 * 1.25));
    }
}

TEST_CASE("a session jump adds damage, growth factor and redness and spares mature matrix") {
    const Params p = default_parameters();
    const Mn14System sys(p);
    const State y0 = sys.baseline();
    const Dose<double> dose{1.0, 1.0};
    const State y1 = apply_session(y0, p, dose);
    CHECK(y1[iD] == Approx(p[p_kap_D]));
    CHECK(y1[iT] == Approx(p[p_kap_T]));
    CHECK(y1[iR] == Approx(p[p_al_V]));
    // Needles push mature matrix aside: cross-linked collagen and elastin are untouched at the
    // session (they are lost later, through proteolysis); matrix not yet cross-linked (C3, C1,
    // Cf) keeps exp(-chi_imm u).
    CHECK(y1[iCf] == Approx(y0[iCf] * std::exp(-p[p_chi_imm])));
    CHECK(y1[iCm] == y0[iCm]);
    CHECK(y1[iE] == y0[iE]);
    CHECK(y1[iC1] == Approx(y0[iC1] * std::exp(-p[p_chi_imm])));
    CHECK(y1[iF] == y0[iF]);
}

TEST_CASE("needling inflamed skin disrupts more fresh matrix than needling healed skin") {
    const Params p = default_parameters();
    const State healed = Mn14System(p).baseline();
    State inflamed = healed;
    inflamed[iN] = 0.3;
    inflamed[iM1] = 0.2;
    const Dose<double> dose{1.0, 1.0};
    const State a = apply_session(healed, p, dose);
    const State b = apply_session(inflamed, p, dose);
    const double friable = 1.0 + p[p_phi_inf] * 0.5;
    CHECK(b[iC3] / inflamed[iC3] == Approx(std::exp(-p[p_chi_imm] * friable)));
    CHECK(b[iC3] / inflamed[iC3] < a[iC3] / healed[iC3]);
    CHECK(b[iCm] == inflamed[iCm]);
}

TEST_CASE("elastin below its set-point is repaired with time constant tau_Er") {
    // Near the set-point the repair flux, quasi-steady through tropoelastin, closes a deficit
    // at rate 1/tau_Er: dE/dt = k_Ex dEt with dEt = gain F sp(1 - E) / (k_Ex + k_Et).
    const Params p = default_parameters();
    const Mn14System sys(p);
    State y = sys.baseline();
    const double deficit = 0.05;  // well above the ramp width eps_sp
    y[iE] -= deficit;
    y[iEt] += elastin_repair_gain(p) * smooth_ramp(deficit, p[p_eps_sp]) / (p[p_k_Ex] + p[p_k_Et]);
    State dy;
    sys(y, dy, 0.0);
    const double expected = (deficit - p[p_eps_sp] * std::log(2.0)) / p[p_tau_Er];
    CHECK(dy[iE] == Approx(expected + p[p_k_E0] * deficit).epsilon(1e-3));
    CHECK(dy[iEt] == Approx(0.0).margin(1e-12));
    // Above the set-point the ramp is nearly flat: no repair pushes elastin further up.
    State above = sys.baseline();
    above[iE] += deficit;
    sys(above, dy, 0.0);
    CHECK(dy[iEt] <= 0.0);
}
