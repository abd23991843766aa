// Named parameters of MN-14. Values, units, domains and sources live in one data file,
// python/skinremodel/data/parameters.csv; the build turns its values into default_parameters().
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace skinremodel {

// The order of this list fixes the layout of a parameter vector. Every name must have a row in
// parameters.csv (a Catch2 test and a pytest check both directions).
// One group of the list per line, as parameters.csv groups them; clang-format would regroup the
// list and indent what follows its expansions.
// clang-format off
#define SKINREMODEL_PARAMETERS(X) \
    /* inflammation */ \
    X(k_D) X(k_DN) X(k_DM) X(r_N) X(K_D) X(d_N) X(k_eff) X(r_M) X(a_MN) X(K_M) X(k_12) X(d_M1) \
    X(d_M2) \
    /* growth_factor */ \
    X(s_1) X(s_2) X(s_f) X(d_T) \
    /* dose */ \
    X(kap_T) \
    /* fibroblast */ \
    X(r_F) X(K_F) X(lam_F) X(k_FM) X(d_Mf) \
    /* mmp */ \
    X(d_P) X(P_b) X(nu_f) X(nu_N) X(nu_1) X(nu_2) \
    /* collagen */ \
    X(s_w) X(a_C) X(a_W) X(eta) X(f3_0) X(f3_max) X(k_3) X(k_m3) X(k_1) X(k_mat) X(k_f) X(k_x) \
    X(k_m) X(nG) X(beta_age) \
    /* spacing */ \
    X(chi_imm) X(phi_inf) \
    /* elastin */ \
    X(k_E0) X(k_Ex) X(k_Et) X(s_Ew) X(a_E) X(k_EI) X(tau_Er) X(eps_sp) \
    /* erythema */ \
    X(k_R) X(al_V) X(gam_v) X(al_N) X(al_M) X(R_vis) \
    /* dose */ \
    X(kap_D) X(eta_pen) X(e_epi) X(H) X(w) X(r_h) X(L_ref) X(rho_ref) \
    /* covariate */ \
    X(cov_age_onset) X(cov_age_aC_slope) X(cov_age_aC_floor) X(cov_age_rF_slope) \
    X(cov_age_rF_floor) X(cov_age_Pb_slope) X(cov_age_aE_scale) X(cov_age_kDM_slope) \
    X(cov_age_kDM_floor) X(cov_dm_controlled) X(cov_dm_k12) X(cov_dm_dM1) X(cov_dm_dN) \
    X(cov_dm_kDM) X(cov_dm_s) X(cov_dm_nu) X(cov_dm_Pb) X(cov_dm_aC) X(cov_dm_rF) X(cov_dm_km) \
    X(cov_vitc_deficient) X(cov_vitc_supplemented) X(cov_photo_Pb) X(cov_photo_aE) \
    X(cov_reactive_alV) X(cov_reactive_Rvis) X(cov_phototype_Rvis) X(cov_smoke_aW) X(cov_acne_deficit) \
    /* observation */ \
    X(kap_US) X(kap_oed) X(kap_el) X(kap_oct) X(g_scale) X(G_jnd) X(G_s) X(g_imm) X(g_E) X(R_down_frac) X(I_share_m) \
    /* clinical_scale */ \
    X(gbg_base) X(gbg_slope) X(gbg_spread) X(gbs_base) X(gbs_slope) X(lps_base) X(lps_slope) \
    X(lem_base) X(lem_slope) X(lem_spread) X(aal_base) X(aal_slope) X(aal_spread) X(aat_base) \
    X(aat_slope) X(aat_spread) X(gais_base) X(gais_slope) X(gais_spread)

enum ParamIndex : std::size_t {
#define SKINREMODEL_ENUM_ENTRY(name) p_##name,
    SKINREMODEL_PARAMETERS(SKINREMODEL_ENUM_ENTRY)
#undef SKINREMODEL_ENUM_ENTRY
    kNumParams
};
// clang-format on

inline constexpr std::array<std::string_view, kNumParams> kParamNames = {
#define SKINREMODEL_NAME_ENTRY(name) #name,
    SKINREMODEL_PARAMETERS(SKINREMODEL_NAME_ENTRY)
#undef SKINREMODEL_NAME_ENTRY
};

template <class T>
using ParamArray = std::array<T, kNumParams>;
using Params = ParamArray<double>;

// The shipped default parameter set (values from parameters.csv at build time).
const Params& default_parameters();

// Index of a parameter by name; throws InvalidInput naming the unknown parameter.
std::size_t parameter_index(std::string_view name);

// Checks that every value is finite and non-negative (all MN-14 parameters are); throws
// InvalidInput.
void check_parameters(const Params& p);

}  // namespace skinremodel
