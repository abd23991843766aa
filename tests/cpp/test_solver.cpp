#include <array>
#include <boost/numeric/odeint/stepper/rosenbrock4.hpp>
#include <cmath>

#include <Eigen/LU>
#include "catch.hpp"
#include "helpers.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/numerics/block_lu.hpp"
#include "skinremodel/numerics/rosenbrock.hpp"
#include "skinremodel/simulation/simulate.hpp"

using namespace skinremodel;
using namespace testing_helpers;
using catch_compat::Approx;

namespace {

using Rodas4 = numerics::Rosenbrock<Mn14System, numerics::Rodas4Tableau>;
using Rodas5P = numerics::Rosenbrock<Mn14System, numerics::Rodas5PTableau>;

// atol < 0 keeps the default per-state absolute tolerances.
SimulationRequest request(std::vector<Session> sessions, double horizon, Method method,
                          double rtol = 1e-6, double atol = -1.0) {
    SimulationRequest r;
    r.sessions = std::move(sessions);
    r.t_out = days(horizon);
    r.options.method = method;
    r.options.rtol = rtol;
    if (atol > 0) r.options.atol.fill(atol);
    return r;
}

}  // namespace

TEST_CASE("one Eigen RODAS step equals one step of odeint's rosenbrock4") {
    // Without the set-point drift (beta_age = 0, the default) df/dt = 0, so odeint's sign error
    // in d4 (see rosenbrock_tableaus.hpp) does not enter and the two steps agree.
    namespace ublas = boost::numeric::ublas;
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    REQUIRE(sys.params()[p_beta_age] == 0.0);
    State y = apply_session(sys.baseline(), sys.params(), Dose<double>{1.0, 1.0});
    const double t = 0.0, dt = 0.05;

    Rodas4 ours;
    State out, err;
    ours.try_step(sys, y, t, dt, false, out, err);

    auto deriv = [&](const ublas::vector<double>& x, ublas::vector<double>& dx, double tt) {
        State a, b;
        std::copy(x.begin(), x.end(), a.begin());
        sys(a, b, tt);
        std::copy(b.begin(), b.end(), dx.begin());
    };
    auto jac = [&](const ublas::vector<double>& x, ublas::matrix<double>& J, double tt,
                   ublas::vector<double>& dfdt) {
        State a, d;
        Jacobian Je;
        std::copy(x.begin(), x.end(), a.begin());
        sys.jacobian(a, tt, Je, d);
        for (std::size_t i = 0; i < kNumStates; ++i) {
            dfdt[i] = d[i];
            for (std::size_t j = 0; j < kNumStates; ++j) J(i, j) = Je(i, j);
        }
    };
    boost::numeric::odeint::rosenbrock4<double> theirs;
    ublas::vector<double> x(kNumStates), xo(kNumStates), xe(kNumStates);
    std::copy(y.begin(), y.end(), x.begin());
    theirs.do_step(std::make_pair(deriv, jac), x, t, xo, dt, xe);
    for (std::size_t i = 0; i < kNumStates; ++i) {
        INFO("state " << kStateNames[i]);
        CHECK(out[i] == Approx(xo[i]).epsilon(1e-12).margin(1e-15));
        CHECK(err[i] == Approx(xe[i]).epsilon(1e-8).margin(1e-15));
    }
}

TEST_CASE("a linear function of the RODAS interpolant is the projected scalar interpolant") {
    // Events evaluate w . x(t) through Rodas4::project; it must be the same cubic in t.
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    const State y = apply_session(sys.baseline(), sys.params(), Dose<double>{1.0, 1.0});
    const double t = 0.0, dt = 0.05;
    Rodas4 stepper;
    State y_new, err;
    REQUIRE(stepper.try_step(sys, y, t, dt, false, y_new, err));
    stepper.accept(sys);
    struct Functional {
        std::size_t size = 4;
        std::array<std::size_t, 4> index{iC3, iC1, iCm, iR};
        std::array<double, 4> weight{0.1, 0.1, 1.0, -2.5};
    } w;
    const auto poly = stepper.project(w, y, y_new);
    for (double s : {0.0, 0.1, 0.37, 0.5, 0.93, 1.0}) {
        State x;
        stepper.interpolate(t + s * dt, x, y, t, y_new, t + dt);
        double direct = 0.0;
        for (std::size_t k = 0; k < w.size; ++k) direct += w.weight[k] * x[w.index[k]];
        INFO("s = " << s);
        CHECK(poly.at(s) == Approx(direct).epsilon(1e-14).margin(1e-15));
    }
}

TEST_CASE("without sessions the state stays at baseline for 10 years") {
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    const State y0 = sys.baseline();
    for (Method m : {Method::rodas5p, Method::rodas4, Method::dopri5}) {
        const SimulationRequest r = request({}, 3650, m);
        const Trajectory tr = simulate(r);
        for (std::size_t row = 0; row < tr.t.size(); ++row)
            for (std::size_t i = 0; i < kNumStates; ++i) {
                // The L-stable method keeps the steady state to round-off. The explicit one, once
                // its steps outgrow its stability region, lets round-off grow until the error
                // control stops it: it stays at baseline to within its tolerance.
                const bool l_stable = m != Method::dopri5;
                const double bound =
                    l_stable ? 1e-12 * (1 + std::abs(y0[i]))
                             : 10 * (r.options.atol[i] + r.options.rtol * std::abs(y0[i]));
                INFO(method_name(m) << " state " << kStateNames[i] << " day " << tr.t[row]);
                REQUIRE(std::abs(state_at(tr, row, i) - y0[i]) <= bound);
            }
        if (m != Method::dopri5) CHECK(tr.stats.steps < 100);  // quiet skin: long steps
    }
}

TEST_CASE("the value at a session day is the post-session state; the left limit is kept") {
    for (Method m : {Method::rodas5p, Method::rodas4, Method::dopri5}) {
        const Trajectory tr = simulate(request(regular_sessions(3, 28), 90, m));
        REQUIRE(tr.session_times.size() == 3);
        for (std::size_t k = 0; k < 3; ++k) {
            const std::size_t row = static_cast<std::size_t>(tr.session_times[k]);
            for (std::size_t i = 0; i < kNumStates; ++i)
                CHECK(state_at(tr, row, i) == tr.post_session[k * kNumStates + i]);
            // The jump adds one unit of damage on top of the left limit.
            CHECK(tr.post_session[k * kNumStates + iD] ==
                  Approx(tr.pre_session[k * kNumStates + iD] + 1.0));
        }
    }
}

TEST_CASE("the left limit at a session is the limit of the trajectory from the left") {
    for (Method m : {Method::rodas5p, Method::rodas4, Method::dopri5}) {
        SimulationRequest r = request(regular_sessions(2, 28), 40, m, 1e-9, 1e-13);
        r.t_out = {0.0, 27.0, 28.0 - 1e-7, 28.0, 40.0};
        const Trajectory tr = simulate(r);
        for (std::size_t i = 0; i < kNumStates; ++i)
            CHECK(tr.pre_session[kNumStates + i] ==
                  Approx(state_at(tr, 2, i)).epsilon(1e-6).margin(1e-9));
    }
}

TEST_CASE("all methods agree at tight tolerances and states stay non-negative") {
    const auto sessions = regular_sessions(6, 28);
    const Trajectory a = simulate(request(sessions, 365, Method::rodas4, 1e-10, 1e-14));
    const Trajectory b = simulate(request(sessions, 365, Method::dopri5, 1e-10, 1e-14));
    const Trajectory c = simulate(request(sessions, 365, Method::rodas5p, 1e-10, 1e-14));
    CHECK(max_scaled_diff(a.y, b.y, 1e-6) < 1e-6);
    CHECK(max_scaled_diff(c.y, b.y, 1e-6) < 1e-6);
    for (const Trajectory* tr : {&a, &b, &c})
        for (double v : tr->y) CHECK(v >= 0.0);
}

TEST_CASE("Rodas5P has order 5, a fourth-order error estimate and a fourth-order interpolant") {
    // One step from the state right after a session (the busiest phase), against a reference
    // at rtol 1e-13: halving h divides the local error by about 2^6, the error estimate (the
    // difference to the embedded order-4 solution) by 2^5 and the interpolant's error by 2^5.
    // A wrong coefficient drops these orders.
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    const State y = apply_session(sys.baseline(), sys.params(), Dose<double>{1.0, 1.0});
    auto reference = [&](double t) {
        SimulationRequest r = request(regular_sessions(1, 28), t, Method::rodas4, 1e-13, 1e-17);
        r.t_out = {t};
        return simulate(r).y;
    };
    auto norm = [](const State& a, const std::vector<double>& b) {
        double m = 0.0;
        for (std::size_t i = 0; i < kNumStates; ++i) m = std::max(m, std::abs(a[i] - b[i]));
        return m;
    };
    double prev_err = 0.0, prev_est = 0.0, prev_mid = 0.0;
    for (double h : {0.04, 0.02, 0.01}) {
        Rodas5P stepper;
        State out, est, mid;
        REQUIRE(stepper.try_step(sys, y, 0.0, h, false, out, est));
        stepper.accept(sys);
        stepper.interpolate(0.5 * h, mid, y, 0.0, out, h);
        const double err = norm(out, reference(h));
        const double est_norm = norm(est, std::vector<double>(kNumStates, 0.0));
        const double mid_err = norm(mid, reference(0.5 * h));
        if (prev_err > 0.0) {
            INFO("h " << h << ": errors " << err << " " << est_norm << " " << mid_err);
            CHECK(std::log2(prev_err / err) > 5.5);
            CHECK(std::log2(prev_est / est_norm) > 4.5);
            CHECK(std::log2(prev_mid / mid_err) > 4.5);
        }
        prev_err = err;
        prev_est = est_norm;
        prev_mid = mid_err;
    }
}

TEST_CASE("the error shrinks as rtol shrinks") {
    const auto sessions = regular_sessions(6, 28);
    for (Method m : {Method::rodas5p, Method::rodas4, Method::dopri5}) {
        const Trajectory ref = simulate(request(sessions, 365, Method::rodas4, 1e-12, 1e-15));
        double previous = 1.0;
        for (double rtol : {1e-4, 1e-6, 1e-8}) {
            const double err = max_scaled_diff(
                simulate(request(sessions, 365, m, rtol, rtol * 1e-3)).y, ref.y, 1e-3);
            INFO(method_name(m) << " rtol " << rtol << " error " << err);
            CHECK(err < previous);
            CHECK(err < 100 * rtol);
            previous = err;
        }
    }
}

TEST_CASE("the step budget stops the solver with an error instead of hanging") {
    SimulationRequest r = request(regular_sessions(6, 28), 365, Method::dopri5);
    r.options.max_steps = 50;
    CHECK_THROWS_AS(simulate(r), SolverError);
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("max_steps=50"));
}

TEST_CASE("invalid requests are rejected with the field named") {
    SimulationRequest r = request(regular_sessions(2, 28), 100, Method::rodas4);
    r.t_out = {0.0, 5.0, 3.0};
    r.t_end = 100.0;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("sorted"));
    r.t_out = {0.0, 200.0};
    r.t_end = 100.0;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("horizon"));
    // Every bad output time is named, whichever check finds it first.
    r.t_out = {0.0, std::nan(""), 5.0};
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("t_eval[1] must be finite"));
    r.t_out = {-1.0, 5.0};
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("t_eval[0] must be finite and >= 0"));
    r.t_out = {0.0, 5.0, 5.0, 100.0};  // repeated times and the horizon itself are allowed
    CHECK(simulate(r).t.size() == 4);
    r = request(regular_sessions(2, 28), 100, Method::rodas4);
    r.options.atol[iR] = 2.0;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::StartsWith("atol of state R must be in"));
    r = request(regular_sessions(2, 28), 100, Method::rodas4);
    r.options.rtol = 0.0;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("rtol"));
    r = request(regular_sessions(2, 28), 100, Method::rodas4);
    r.patient.age = 5;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("age"));
    CHECK_THROWS_AS(method_from_name("euler"), InvalidInput);
}

TEST_CASE("sessions after the horizon are not simulated") {
    const Trajectory tr = simulate(request(regular_sessions(6, 28), 60, Method::rodas4));
    CHECK(tr.session_times.size() == 3);  // days 0, 28, 56
}

TEST_CASE("a redness threshold crossing is located after the session") {
    const SimulationRequest r = request(regular_sessions(1, 28), 30, Method::rodas4);
    auto redness = [](const Trajectory& tr) {
        std::vector<Crossing> out;
        for (const Crossing& c : tr.crossings)
            if (c.event == event_redness_visible) out.push_back(c);
        return out;
    };
    const Trajectory tr = simulate(r);
    const std::vector<Crossing> c = redness(tr);
    REQUIRE(c.size() == 2);
    CHECK(c[0].at_session);
    CHECK(c[0].direction == 1);
    CHECK(c[1].direction == -1);
    const double hours = 24 * c[1].time;
    CHECK(hours > 12);  // clinic: 12-72 h of visible redness at 1.0-2.0 mm
    CHECK(hours < 72);
    // The summary reads the same crossing: the session is on day 0.
    REQUIRE(tr.time_above.size() == kNumEvents);
    CHECK(tr.time_above[event_redness_visible] == c[1].time);
    CHECK(tr.first_upward[event_redness_visible] == 0.0);
    // The same crossing found with the explicit method agrees to well under 15 minutes.
    SimulationRequest r2 = r;
    r2.options.method = Method::dopri5;
    const std::vector<Crossing> c2 = redness(simulate(r2));
    REQUIRE(c2.size() == 2);
    CHECK(std::abs(c2[1].time - c[1].time) * 24 * 60 < 1.0);
}

TEST_CASE("the Jacobian has no non-zero outside the declared sparsity pattern") {
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    // Several states, including the busy phase right after a session, all made strictly positive.
    SimulationRequest r;
    r.sessions = regular_sessions(2, 10);
    r.t_out = {0.0, 0.1, 1.0, 3.0, 8.0, 12.0, 40.0};
    const Trajectory tr = simulate(r);
    for (std::size_t row = 0; row < tr.t.size(); ++row) {
        State y;
        for (std::size_t i = 0; i < kNumStates; ++i) y[i] = state_at(tr, row, i) + 0.01 * (i + 1);
        Jacobian J;
        State dfdt;
        sys.jacobian(y, tr.t[row], J, dfdt);
        for (std::size_t i = 0; i < kNumStates; ++i)
            for (std::size_t j = 0; j < kNumStates; ++j) {
                INFO("d f[" << kStateNames[i] << "] / d " << kStateNames[j]);
                if (J(i, j) != 0.0) CHECK(((kJacobianPattern[i] >> j) & 1u) == 1u);
            }
    }
}

TEST_CASE("the block LU solves the iteration matrix as a dense pivoted LU does") {
    const Mn14System sys(apply_covariates(default_parameters(), Patient{}));
    const State y = {0.5, 0.3, 0.2, 0.25, 0.4, 1.3, 0.1, 1.8, 0.01, 0.03, 0.98, 0.002, 0.99, 0.3};
    Jacobian J;
    State dfdt;
    sys.jacobian(y, 0.0, J, dfdt);
    using LU = numerics::BlockLowerLU<kNumStates, kJacobianBlocks.size() - 1, kJacobianPattern,
                                      kJacobianBlocks>;
    for (double dt : {1e-4, 0.1, 10.0, 1e4}) {
        const double shift = 1.0 / (0.25 * dt);
        Jacobian W = -J;
        W.diagonal().array() += shift;
        LU lu;
        REQUIRE(lu.compute(J.data(), shift));
        Eigen::Matrix<double, kNumStates, 1> b;
        for (std::size_t i = 0; i < kNumStates; ++i) b[i] = std::sin(1.0 + i);
        Eigen::Matrix<double, kNumStates, 1> x_dense = W.partialPivLu().solve(b), x_block;
        lu.solve(b.data(), x_block.data());
        CHECK((x_block - x_dense).norm() <= 1e-12 * x_dense.norm());
    }
}
