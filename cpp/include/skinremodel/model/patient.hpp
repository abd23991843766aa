// Patient covariates and the rules (design section 2.7) that turn nominal parameters into the
// patient's effective parameters. Templated on the scalar so sensitivities flow through the rules.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/numerics/scalar.hpp"

namespace skinremodel {

enum class Diabetes { none = 0, controlled = 1, poor = 2 };
enum class VitaminC { deficient = 0, replete = 1, supplemented = 2 };

struct Patient {
    double age = 45.0;  // years
    Diabetes diabetes = Diabetes::none;
    VitaminC vitamin_c = VitaminC::replete;
    int phototype = 2;  // Fitzpatrick I-VI as 1..6
    bool smoker = false;
    bool photoaged = false;
    bool reactive_skin = false;
    bool acne_scars = false;  // atrophic acne scars in the treated area
};

// Throws InvalidInput naming the field and its allowed range (model/limits.hpp).
void check_patient(const Patient& patient);

// A patient as one row of numbers, the form batches and populations use: the columns below, in
// this order; categories as their index in the names below, flags as 0/1.
inline constexpr std::size_t kNumPatientColumns = 8;
inline constexpr std::array<std::string_view, kNumPatientColumns> kPatientColumns = {
    "age",    "diabetes",  "vitamin_c",     "phototype",
    "smoker", "photoaged", "reactive_skin", "acne_scars"};
inline constexpr std::array<std::string_view, 3> kDiabetesNames = {"none", "controlled", "poor"};
inline constexpr std::array<std::string_view, 3> kVitaminCNames = {"deficient", "replete",
                                                                   "supplemented"};
using PatientRow = std::array<double, kNumPatientColumns>;

PatientRow patient_row(const Patient& patient);

// The patient of a row; throws InvalidInput naming the column ("<where>: diabetes code must be
// an integer in [0, 2], got 3"). Ranges (age, phototype) are checked too.
Patient patient_from_row(const double* row, std::string_view where = "patient");

// Effective parameters of a patient: multiplies the covariate-sensitive entries of p.
// The coefficients of the rules are parameters too (cov_*), so cohort fits can estimate them.
template <class T>
ParamArray<T> apply_covariates(const ParamArray<T>& p, const Patient& patient) {
    using std::exp;
    const T one(1.0);
    ParamArray<T> q = p;

    // Age: response declines linearly from the onset age, with floors (design 2.7).
    const T a = numerics::smax(T(patient.age) - p[p_cov_age_onset], T(0.0));
    const T age_synthesis = numerics::smax(p[p_cov_age_aC_floor], one - p[p_cov_age_aC_slope] * a);
    const T age_proliferation =
        numerics::smax(p[p_cov_age_rF_floor], one - p[p_cov_age_rF_slope] * a);
    const T age_phagocytosis =
        numerics::smax(p[p_cov_age_kDM_floor], one - p[p_cov_age_kDM_slope] * a);
    const T age_mmp = one + p[p_cov_age_Pb_slope] * a;
    const T age_elastin = exp(-a / p[p_cov_age_aE_scale]);

    // Diabetes severity s in [0, 1]: 0 none, cov_dm_controlled well controlled, 1 poorly
    // controlled.
    T s(0.0);
    if (patient.diabetes == Diabetes::controlled) s = p[p_cov_dm_controlled];
    if (patient.diabetes == Diabetes::poor) s = one;

    // Vitamin C is a cofactor of collagen hydroxylases: scales synthesis, and maturation if
    // deficient.
    T vitc = one;
    if (patient.vitamin_c == VitaminC::deficient) vitc = p[p_cov_vitc_deficient];
    if (patient.vitamin_c == VitaminC::supplemented) vitc = p[p_cov_vitc_supplemented];

    q[p_k_12] *= one - p[p_cov_dm_k12] * s;
    q[p_d_M1] *= one - p[p_cov_dm_dM1] * s;
    q[p_d_N] *= one - p[p_cov_dm_dN] * s;
    q[p_k_DM] *= age_phagocytosis * (one - p[p_cov_dm_kDM] * s);
    const T signal = one - p[p_cov_dm_s] * s;
    q[p_s_1] *= signal;
    q[p_s_2] *= signal;
    q[p_s_f] *= signal;
    const T inflammatory_mmp = one + p[p_cov_dm_nu] * s;
    q[p_nu_N] *= inflammatory_mmp;
    q[p_nu_1] *= inflammatory_mmp;
    q[p_nu_2] *= inflammatory_mmp;
    q[p_P_b] *= age_mmp * (one + p[p_cov_dm_Pb] * s);
    q[p_a_C] *= age_synthesis * (one - p[p_cov_dm_aC] * s) * vitc;
    q[p_r_F] *= age_proliferation * (one - p[p_cov_dm_rF] * s);
    q[p_k_m] *= one - p[p_cov_dm_km] * s;
    if (patient.vitamin_c == VitaminC::deficient) q[p_k_mat] *= vitc;
    q[p_a_E] *= age_elastin;

    if (patient.photoaged) {
        q[p_P_b] *= p[p_cov_photo_Pb];
        q[p_a_E] *= p[p_cov_photo_aE];
    }
    if (patient.reactive_skin) {
        q[p_al_V] *= p[p_cov_reactive_alV];
        q[p_R_vis] *= p[p_cov_reactive_Rvis];
    }
    // Redness is less visible on darker skin: full factor for V-VI, half the excess for IV.
    if (patient.phototype >= 5) q[p_R_vis] *= p[p_cov_phototype_Rvis];
    if (patient.phototype == 4) q[p_R_vis] *= one + (p[p_cov_phototype_Rvis] - one) * 0.5;
    if (patient.smoker) q[p_a_W] *= p[p_cov_smoke_aW];
    // Atrophic scar: the layer lacks a fraction delta of the surrounding skin's collagen, so a gain
    // measured against the scar's own baseline fills (1 - delta) / delta of the visible deficit.
    if (patient.acne_scars) q[p_g_scale] *= (one - p[p_cov_acne_deficit]) / p[p_cov_acne_deficit];
    return q;
}

}  // namespace skinremodel
