// Forward sensitivities: the W-method they use, agreement with central finite differences for
// every parameter and every session depth, and the bookkeeping around them.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "catch.hpp"
#include "helpers.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/numerics/block_lu.hpp"
#include "skinremodel/numerics/rosenbrock_tableaus.hpp"
#include "skinremodel/simulation/sensitivity.hpp"

using namespace skinremodel;
using namespace testing_helpers;
using catch_compat::Approx;

namespace {

// One step of ROS34PW2 in its transformed form, with an arbitrary matrix T in W.
Eigen::Vector2d w_step(double t, const Eigen::Vector2d& y, double h, const Eigen::Matrix2d& T) {
    using M = numerics::Ros34pw2Tableau;
    constexpr auto a = M::a;
    constexpr auto cc = M::C;
    constexpr auto m = M::m;
    constexpr auto c = M::c;
    const auto f = [](double tt, const Eigen::Vector2d& x) {
        return Eigen::Vector2d(-x[0] * x[1] + std::sin(tt),
                               x[0] - 0.5 * x[1] * x[1] + std::cos(2 * tt));
    };
    const Eigen::Matrix2d W = Eigen::Matrix2d::Identity() / (M::gamma * h) - T;
    std::array<Eigen::Vector2d, M::stages> u;
    Eigen::Vector2d out = y;
    for (std::size_t i = 0; i < M::stages; ++i) {
        Eigen::Vector2d yi = y, r = Eigen::Vector2d::Zero();
        for (std::size_t j = 0; j < i; ++j) {
            yi += a[i][j] * u[j];
            r += cc[i][j] / h * u[j];
        }
        u[i] = W.partialPivLu().solve(f(t + c[i] * h, yi) + r);
        out += m[i] * u[i];
    }
    return out;
}

Eigen::Vector2d w_solve(int steps, int which_T) {
    Eigen::Vector2d y(1.0, 0.5);
    const double h = 1.0 / steps;
    for (int k = 0; k < steps; ++k) {
        Eigen::Matrix2d T;
        if (which_T == 0) T.setZero();
        if (which_T == 1) T << 0.3, -2.0, 1.5, 0.7;
        if (which_T == 2) T << -y[1], -y[0], 1.0, -y[1];  // the exact Jacobian
        y = w_step(k * h, y, h, T);
    }
    return y;
}

// A patient for whom every covariate rule is active (and away from its floors).
Patient every_covariate() {
    Patient p;
    p.age = 60;
    p.diabetes = Diabetes::controlled;
    p.vitamin_c = VitaminC::deficient;
    p.photoaged = true;
    p.reactive_skin = true;
    p.phototype = 4;
    p.smoker = true;
    return p;
}

// Six sessions of varied depth and density, away from the kinks of the dose (0 < d_derm < H at
// every depth). Densities other than rho_ref make the needle geometry (w, r_h) matter.
SimulationRequest six_sessions(const Patient& patient, const Params& params, double rtol,
                               double atol) {
    SimulationRequest r;
    r.params = params;
    r.patient = patient;
    const double depths[] = {1.5, 1.0, 2.0, 1.5, 1.25, 1.75};
    const double densities[] = {250, 150, 400, 250, 200, 300};
    for (int k = 0; k < 6; ++k) {
        Session s;
        s.time = 28.0 * k;
        s.depth_mm = depths[k];
        s.density_per_cm2 = densities[k];
        r.sessions.push_back(s);
    }
    for (double d = 0; d <= 200; d += 2) r.t_out.push_back(d);
    // The sensitivities ride on the state method's steps; their accuracy is validated on
    // RODAS4's (Rodas5P, the default for states alone, takes half as many).
    r.options.method = Method::rodas4;
    r.options.rtol = rtol;
    r.options.atol.fill(atol);
    return r;
}

// Central differences of tight simulations, Richardson-extrapolated from relative steps 1e-3
// and 2e-3: (4 D(h) - D(2h)) / 3 cancels the h^2 error. A plain step of 1e-4 does not do: near
// a sign change a component can be so curved that the h^2 error of a 1e-3 step is 6e-4, while
// at 1e-4 the reference's integration error divided by the step, about 1e-9, is near the floors
// below. Values are scaled to p dy/dp (the change for a 100% change of the parameter) so that
// one absolute floor fits every column.
double value_of(const SimulationRequest& r, const SensitivityColumn& col) {
    return col.kind == SensitivityColumn::Kind::parameter ? r.params[col.index]
                                                          : r.sessions[col.index].depth_mm;
}
std::vector<double> central_difference(const SimulationRequest& ref, const SensitivityColumn& col,
                                       double relative_step) {
    SimulationRequest up = ref, down = ref;
    const double h = relative_step * value_of(ref, col);
    if (col.kind == SensitivityColumn::Kind::parameter) {
        up.params[col.index] += h;
        down.params[col.index] -= h;
    } else {
        up.sessions[col.index].depth_mm += h;
        down.sessions[col.index].depth_mm -= h;
    }
    const Trajectory a = simulate(up), b = simulate(down);
    std::vector<double> fd(a.y.size());
    const double v = value_of(ref, col);
    for (std::size_t i = 0; i < fd.size(); ++i) fd[i] = v * (a.y[i] - b.y[i]) / (2 * h);
    return fd;
}
std::vector<double> extrapolated_difference(const SimulationRequest& ref,
                                            const SensitivityColumn& col) {
    std::vector<double> fine = central_difference(ref, col, 1e-3);
    const std::vector<double> coarse = central_difference(ref, col, 2e-3);
    for (std::size_t i = 0; i < fine.size(); ++i) fine[i] = (4.0 * fine[i] - coarse[i]) / 3.0;
    return fine;
}

// Largest |S - FD| / max(|FD|, 1e-4 * column peak, 1e-5) of one scaled column, and where it is.
// The relative floor leaves out components that are negligible within their column, the
// absolute one (a change of 1e-5 for a 100% change of the parameter) components the parameter
// does not move at all (P does not depend on collagen parameters, H cancels from the dose
// ratio, observation gains move no state): there the differences are the reference's
// integration error divided by the step, up to about 1e-9.
struct Worst {
    double error = 0.0;
    std::size_t row = 0, state = 0;
};
Worst compare_column(const SensitivityTrajectory& s, std::size_t c, double value,
                     const std::vector<double>& fd) {
    double peak = 0.0;
    for (double v : fd) peak = std::max(peak, std::abs(v));
    Worst w;
    for (std::size_t x = 0; x < fd.size(); ++x) {
        const double sv = value * s.s[x * s.columns + c];
        const double e = std::abs(sv - fd[x]) / std::max({std::abs(fd[x]), 1e-4 * peak, 1e-5});
        if (e > w.error) w = {e, x / kNumStates, x % kNumStates};
    }
    return w;
}

void check_against_differences(const SimulationRequest& tight_sens, const SimulationRequest& ref,
                               const std::vector<std::string>& names) {
    const auto cols = sensitivity_columns(names, ref.sessions.size());
    const SensitivityTrajectory s = simulate_sensitivities(tight_sens, cols);
    for (std::size_t c = 0; c < cols.size(); ++c) {
        const Worst w =
            compare_column(s, c, value_of(ref, cols[c]), extrapolated_difference(ref, cols[c]));
        INFO(names[c] << ": relative error " << w.error << " at day " << ref.t_out[w.row]
                      << ", state " << kStateNames[w.state]);
        CHECK(w.error < 1e-4);
    }
}

}  // namespace

TEST_CASE("ROS34PW2 is third order whatever matrix stands for the Jacobian") {
    for (int which_T : {0, 1, 2}) {
        const Eigen::Vector2d y40 = w_solve(40, which_T), y80 = w_solve(80, which_T);
        const Eigen::Vector2d y160 = w_solve(160, which_T), y320 = w_solve(320, which_T);
        const double r1 = (y40 - y80).norm() / (y80 - y160).norm();
        const double r2 = (y80 - y160).norm() / (y160 - y320).norm();
        INFO("T choice " << which_T << ": observed orders " << std::log2(r1) << ", "
                         << std::log2(r2));
        CHECK(std::log2(r2) > 2.8);
        CHECK(std::log2(r2) < 3.3);
    }
    // Transformed coefficients reproduce the published tableau: stiffly accurate (m = last row
    // of a plus the last stage), stage times 0, 0.87, 0.73, 1.
    constexpr auto a = numerics::Ros34pw2Tableau::a;
    constexpr auto m = numerics::Ros34pw2Tableau::m;
    for (std::size_t j = 0; j + 1 < 4; ++j) CHECK(m[j] == Approx(a[3][j]).epsilon(1e-14));
    CHECK(m[3] == Approx(1.0).epsilon(1e-14));
    CHECK(numerics::Ros34pw2Tableau::c[3] == 1.0);
}

TEST_CASE("sensitivities of every state equal central differences for every parameter and depth") {
    // Every parameter of the default set, and the depth of each session. The patient has every
    // covariate active; beta_age is moved off its bound 0 so that its central difference exists
    // and the time-dependent set-point is exercised.
    Params p = default_parameters();
    p[p_beta_age] = 0.01;
    std::vector<std::string> names;
    for (auto n : kParamNames) names.emplace_back(n);
    for (int k = 0; k < 6; ++k) names.push_back("depth_mm[" + std::to_string(k) + "]");
    const Patient patient = every_covariate();
    check_against_differences(six_sessions(patient, p, 1e-10, 1e-14),
                              six_sessions(patient, p, 1e-11, 1e-15), names);
}

TEST_CASE("sensitivities through covariate floors, supplemented vitamin C and poor control") {
    // Steep age slopes put the age factors on their floors (far from the kink), so the floors
    // themselves carry the sensitivity.
    Params p = default_parameters();
    p[p_cov_age_aC_slope] = 0.012;
    p[p_cov_age_rF_slope] = 0.009;
    p[p_cov_age_kDM_slope] = 0.009;
    Patient patient;
    patient.age = 95;
    patient.diabetes = Diabetes::poor;
    patient.vitamin_c = VitaminC::supplemented;
    patient.phototype = 6;
    check_against_differences(
        six_sessions(patient, p, 1e-10, 1e-14), six_sessions(patient, p, 1e-11, 1e-15),
        {"cov_age_aC_floor", "cov_age_rF_floor", "cov_age_kDM_floor", "cov_vitc_supplemented",
         "cov_dm_k12", "cov_dm_s", "cov_dm_aC", "s_w", "k_mat", "depth_mm[3]"});
    // The slopes do not matter once the floors bind.
    const SensitivityTrajectory s = simulate_sensitivities(
        six_sessions(patient, p, 1e-8, 1e-12), sensitivity_columns({"cov_age_aC_slope"}, 6));
    for (double v : s.s) CHECK(v == 0.0);
}

TEST_CASE("the trajectory is unchanged by computing sensitivities, for both methods") {
    for (Method method : {Method::rodas4, Method::dopri5}) {
        SimulationRequest r = six_sessions(every_covariate(), default_parameters(), 1e-6, 1e-9);
        r.options.method = method;
        const Trajectory plain = simulate(r);
        const SensitivityTrajectory s = simulate_sensitivities(r, sensitivity_columns({"s_w"}, 6));
        CHECK(s.trajectory.y == plain.y);
        CHECK(s.trajectory.pre_session == plain.pre_session);
        CHECK(s.trajectory.stats.steps == plain.stats.steps);
        CHECK(s.stats.steps == plain.stats.steps);
    }
}

TEST_CASE("sensitivities do not depend on the state method or on how columns are chunked") {
    // The explicit method takes fewer, longer steps at tight tolerances (order 5), which the
    // third-order sensitivity method follows: it agrees to 1e-4 at rtol 1e-10.
    const std::vector<std::string> names = {"s_w", "k_mat", "k_x", "tau_Er", "depth_mm[1]"};
    SimulationRequest r = six_sessions(every_covariate(), default_parameters(), 1e-10, 1e-14);
    const SensitivityTrajectory a = simulate_sensitivities(r, sensitivity_columns(names, 6));
    r.options.method = Method::dopri5;
    const SensitivityTrajectory b = simulate_sensitivities(r, sensitivity_columns(names, 6));
    CHECK(max_scaled_diff(b.s, a.s, 1e-4) < 1e-4);

    // 20 columns run as two chunks of 16 lanes; each column equals its run alone.
    std::vector<std::string> many;
    for (std::size_t k = 0; many.size() < 20; ++k) many.emplace_back(kParamNames[k]);
    many.back() = "s_w";
    r.options.method = Method::rodas4;
    const SensitivityTrajectory all = simulate_sensitivities(r, sensitivity_columns(many, 6));
    REQUIRE(all.stats.chunk_width == 16);
    const SensitivityTrajectory last = simulate_sensitivities(r, sensitivity_columns({"s_w"}, 6));
    for (std::size_t x = 0; x < last.s.size(); ++x)
        CHECK(all.s[x * 20 + 19] == Approx(last.s[x]).epsilon(1e-12).margin(1e-15));
}

TEST_CASE("session sensitivities: left limits, jumps and sessions beyond the horizon") {
    SimulationRequest r = six_sessions(every_covariate(), default_parameters(), 1e-9, 1e-13);
    r.t_out = {0.0, 27.0, 28.0 - 1e-7, 28.0, 50.0};  // the horizon (50) leaves out sessions 2-5
    const auto cols = sensitivity_columns({"k_EI", "depth_mm[1]", "depth_mm[4]", "kap_US"}, 6);
    const SensitivityTrajectory s = simulate_sensitivities(r, cols);
    const std::size_t m = cols.size();
    REQUIRE(s.pre_session.size() == 2 * kNumStates * m);
    // The left limit at day 28 is the limit of the trajectory's sensitivities from the left.
    for (std::size_t x = 0; x < kNumStates * m; ++x)
        CHECK(s.pre_session[kNumStates * m + x] ==
              Approx(s.s[2 * kNumStates * m + x]).epsilon(1e-5).margin(1e-9));
    // The output on the session day is the post-jump value; depth only moves the jump.
    for (std::size_t x = 0; x < kNumStates * m; ++x)
        CHECK(s.post_session[kNumStates * m + x] == s.s[3 * kNumStates * m + x]);
    CHECK(s.pre_session[kNumStates * m + iD * m + 1] == 0.0);
    CHECK(s.post_session[kNumStates * m + iD * m + 1] > 0.0);   // deeper needles, more damage
    CHECK(s.post_session[kNumStates * m + iC1 * m + 1] < 0.0);  // and more fresh matrix disrupted
    // A session beyond the horizon, and an observation parameter, move no state.
    for (std::size_t row = 0; row < r.t_out.size(); ++row)
        for (std::size_t i = 0; i < kNumStates; ++i) {
            CHECK(s.s[(row * kNumStates + i) * m + 2] == 0.0);
            CHECK(s.s[(row * kNumStates + i) * m + 3] == 0.0);
        }
    // ... but kap_US is an effective parameter of its own.
    CHECK(s.effective[p_kap_US * m + 3] == 1.0);
    CHECK(s.effective[p_s_w * m + 3] == 0.0);
}

TEST_CASE("the derivative of the effective parameters follows the covariate rules") {
    Patient old;
    old.age = 58;  // 30 years past the onset age
    SimulationRequest r = six_sessions(old, default_parameters(), 1e-6, 1e-9);
    const auto cols = sensitivity_columns({"a_C", "cov_age_aC_slope", "cov_age_onset"}, 6);
    const SensitivityTrajectory s = simulate_sensitivities(r, cols);
    const Params& p = default_parameters();
    const double a = 58 - p[p_cov_age_onset];
    // a_C,eff = a_C (1 - slope a) for this patient.
    CHECK(s.effective[p_a_C * 3 + 0] == Approx(1 - p[p_cov_age_aC_slope] * a));
    CHECK(s.effective[p_a_C * 3 + 1] == Approx(-p[p_a_C] * a));
    CHECK(s.effective[p_a_C * 3 + 2] == Approx(p[p_a_C] * p[p_cov_age_aC_slope]));
}

namespace {

// d y / d (day of session k) by central differences, Richardson-extrapolated from steps h, 2h.
std::vector<double> day_difference(const SimulationRequest& ref, std::size_t k, double h) {
    const auto central = [&](double step) {
        SimulationRequest up = ref, down = ref;
        up.sessions[k].time += step;
        down.sessions[k].time -= step;
        const Trajectory a = simulate(up), b = simulate(down);
        std::vector<double> fd(a.y.size());
        for (std::size_t i = 0; i < fd.size(); ++i) fd[i] = (a.y[i] - b.y[i]) / (2 * step);
        return fd;
    };
    std::vector<double> fine = central(h);
    const std::vector<double> coarse = central(2 * h);
    for (std::size_t i = 0; i < fine.size(); ++i) fine[i] = (4.0 * fine[i] - coarse[i]) / 3.0;
    return fine;
}

}  // namespace

TEST_CASE("session-day sensitivities equal central differences for every session of six") {
    // Sessions off the output grid (outputs every 2 days, sessions at 28 k + 0.5 + k/4) so that
    // no output sits within the difference step of a session: there y(t) is discontinuous in
    // the session day. The patient has every covariate and a drifting set-point (f depends on t).
    Params p = default_parameters();
    p[p_beta_age] = 0.01;
    const auto with_days = [](SimulationRequest r) {
        for (std::size_t k = 0; k < r.sessions.size(); ++k)
            r.sessions[k].time =
                28.0 * static_cast<double>(k) + 0.5 + 0.25 * static_cast<double>(k);
        return r;
    };
    const Patient patient = every_covariate();
    const SimulationRequest sens = with_days(six_sessions(patient, p, 1e-12, 1e-15));
    const SimulationRequest ref = with_days(six_sessions(patient, p, 1e-11, 1e-15));
    std::vector<std::string> names;
    for (int k = 0; k < 6; ++k) names.push_back("day[" + std::to_string(k) + "]");
    const SensitivityTrajectory s = simulate_sensitivities(sens, sensitivity_columns(names, 6));
    for (std::size_t k = 0; k < 6; ++k) {
        const std::vector<double> fd = day_difference(ref, k, 0.005);
        double peak = 0.0;
        for (double v : fd) peak = std::max(peak, std::abs(v));
        double worst = 0.0;
        std::size_t where = 0;
        for (std::size_t x = 0; x < fd.size(); ++x) {
            const double e =
                std::abs(s.s[x * 6 + k] - fd[x]) / std::max({std::abs(fd[x]), 1e-4 * peak, 1e-7});
            if (e > worst) {
                worst = e;
                where = x;
            }
        }
        INFO("day[" << k << "]: relative error " << worst << " at day "
                    << ref.t_out[where / kNumStates] << ", state "
                    << kStateNames[where % kNumStates] << " (peak " << peak << ")");
        CHECK(peak > 1e-3);
        CHECK(worst < 1e-4);
        // Zero before the session, the jump formula right after it.
        for (std::size_t row = 0; ref.t_out[row] < ref.sessions[k].time; ++row)
            for (std::size_t i = 0; i < kNumStates; ++i)
                CHECK(s.s[(row * kNumStates + i) * 6 + k] == 0.0);
        for (std::size_t i = 0; i < kNumStates; ++i)
            CHECK(s.pre_session[(k * kNumStates + i) * 6 + k] == 0.0);
    }
    CHECK_THROWS_WITH(sensitivity_columns({"day[6]"}, 6),
                      Catch::Matchers::Contains("k must be in [0, 6)"));
    CHECK(sensitivity_column("day[5]", 6).kind == SensitivityColumn::Kind::day);
    CHECK(sensitivity_column("day[5]", 6).index == 5);
    CHECK_THROWS_WITH(sensitivity_columns({"day[x]"}, 6), Catch::Matchers::Contains("day[k]"));
}

TEST_CASE("sensitivity names are checked") {
    CHECK(sensitivity_columns({"s_w", "depth_mm[2]"}, 3).size() == 2);
    CHECK(sensitivity_columns({"depth_mm[2]"}, 3)[0].kind == SensitivityColumn::Kind::depth);
    CHECK_THROWS_WITH(sensitivity_columns({"s_ww"}, 3),
                      Catch::Matchers::Contains("unknown parameter 's_ww'"));
    CHECK_THROWS_WITH(sensitivity_columns({"depth_mm[3]"}, 3),
                      Catch::Matchers::Contains("k must be in [0, 3)"));
    CHECK_THROWS_WITH(sensitivity_columns({"depth_mm[x]"}, 3),
                      Catch::Matchers::Contains("depth_mm[k]"));
    CHECK_THROWS_WITH(sensitivity_columns({"depth_mm"}, 3),
                      Catch::Matchers::Contains("depth_mm[k]"));
    CHECK_THROWS_WITH(sensitivity_columns({"k_mat", "k_mat"}, 3),
                      Catch::Matchers::Contains("'k_mat' listed twice"));
    CHECK(sensitivity_column("k_mat", 0).kind == SensitivityColumn::Kind::parameter);
    CHECK(sensitivity_column("k_mat", 0).index == p_k_mat);
    SimulationRequest r = six_sessions(Patient{}, default_parameters(), 1e-6, 1e-9);
    CHECK_THROWS_AS(simulate_sensitivities(r, {{SensitivityColumn::Kind::depth, 6}}), InvalidInput);
    CHECK(simulate_sensitivities(r, {}).columns == 0);
}

TEST_CASE("the block LU solves many right-hand sides at once as it solves each") {
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    const State y = {0.5, 0.3, 0.2, 0.25, 0.4, 1.3, 0.1, 1.8, 0.01, 0.03, 0.98, 0.002, 0.99, 0.3};
    Jacobian J;
    State dfdt;
    sys.jacobian(y, 0.0, J, dfdt);
    numerics::BlockLowerLU<kNumStates, kJacobianBlocks.size() - 1, kJacobianPattern,
                           kJacobianBlocks>
        lu;
    constexpr std::size_t cols = 5;
    for (double dt : {1e-4, 0.1, 10.0}) {
        REQUIRE(lu.compute(J.data(), 1.0 / (0.4 * dt)));
        std::array<double, kNumStates * cols> X;
        for (std::size_t i = 0; i < X.size(); ++i) X[i] = std::sin(0.7 * i + 1.0);
        const auto B = X;
        lu.solve_columns<cols>(X.data());
        for (std::size_t c = 0; c < cols; ++c) {
            State b, x;
            for (std::size_t i = 0; i < kNumStates; ++i) b[i] = B[i * cols + c];
            lu.solve(b.data(), x.data());
            for (std::size_t i = 0; i < kNumStates; ++i)
                CHECK(X[i * cols + c] == Approx(x[i]).epsilon(1e-13).margin(1e-15));
        }
    }
}
