// The bound tables and their checks, the patient row, and the model's threshold events: their
// definitions and the per-session summary of their crossings.
#include <cmath>
#include <limits>

#include "catch.hpp"
#include "helpers.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/limits.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/model/visible_improvement.hpp"
#include "skinremodel/simulation/limits.hpp"
#include "skinremodel/simulation/simulate.hpp"

using namespace skinremodel;
using namespace testing_helpers;
using catch_compat::Approx;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A trajectory with the given sessions, post-session redness and redness crossings of event 0.
Trajectory redness_trajectory(const std::vector<double>& sessions,
                              const std::vector<double>& post_r,
                              const std::vector<Crossing>& crossings) {
    Trajectory tr;
    tr.session_times = sessions;
    tr.post_session.assign(sessions.size() * kNumStates, 0.0);
    for (std::size_t k = 0; k < sessions.size(); ++k)
        tr.post_session[k * kNumStates + iR] = post_r[k];
    tr.crossings = crossings;
    return tr;
}

ModelEvents redness_at(double level) {
    ModelEvents e{};
    for (LinearEvent& x : e) {
        x.weights[iR] = 1.0;
        x.level = level;
    }
    return e;
}

}  // namespace

TEST_CASE("bounds are checked from their table, with messages naming field and range") {
    const Limit& age = model_limit(limit_age);
    CHECK(age.name == "age");
    CHECK(within(age, 18.0));
    CHECK(within(age, 100.0));
    CHECK_FALSE(within(age, 17.9));
    CHECK_FALSE(within(age, kNaN));
    CHECK(range_text(age) == "[18, 100] years");
    CHECK_THROWS_WITH(check_limit(age, 17.0, "patient age"),
                      Catch::Matchers::Equals("patient age must be in [18, 100] years, got 17"));
    CHECK_THROWS_WITH(check_limit(age, kNaN),
                      Catch::Matchers::Contains("age must be a finite number in"));
    const Limit& depth = model_limit(limit_depth_mm);
    CHECK_FALSE(within(depth, 0.0));  // open at 0
    CHECK(within(depth, 5.0));
    CHECK(range_text(depth) == "(0, 5] mm");
    const Limit& phototype = model_limit(limit_phototype);
    CHECK_FALSE(within(phototype, 2.5));
    CHECK_THROWS_WITH(check_limit(phototype, 7.0),
                      Catch::Matchers::Equals("phototype must be an integer in [1, 6], got 7"));
    CHECK(range_text(solver_limit(limit_rtol)) == "[1e-14, 0.1]");
    CHECK(range_text(solver_limit(limit_max_steps)) == "[1, 1000000000]");
    CHECK(range_text(solver_limit(limit_initial_step)) == "[0, inf) days");
    CHECK(range_text(solver_limit(limit_horizon)) == "(0, 36500] days");
    // Names are unique across both tables.
    for (const Limit& a : kModelLimits)
        for (const Limit& b : kSolverLimits) CHECK(a.name != b.name);
}

TEST_CASE("the checks of the core read the tables") {
    SimulationRequest r;
    r.sessions = regular_sessions(1, 28);
    r.t_out = {0.0, 10.0};
    r.t_end = 40000.0;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("the horizon must be in (0, 36500]"));
    r.t_end = -1.0;
    r.options.max_steps = 2000000000;
    CHECK_THROWS_WITH(simulate(r), Catch::Matchers::Contains("max_steps must be an integer in"));
    r.options.max_steps = 1000;
    r.sessions[0].time = 2e6;
    CHECK_THROWS_WITH(check_sessions(r.sessions, default_parameters()),
                      Catch::Matchers::Contains("day must be in [0, 1e+06] days"));
    r.sessions[0].time = 0.0;
    r.sessions[0].dose_scale = 11.0;
    CHECK_THROWS_WITH(check_sessions(r.sessions, default_parameters()),
                      Catch::Matchers::Contains("dose_scale must be in [0, 10], got 11"));
}

TEST_CASE("a patient row round-trips and bad codes name their column") {
    Patient p;
    p.age = 61.5;
    p.diabetes = Diabetes::poor;
    p.vitamin_c = VitaminC::deficient;
    p.phototype = 6;
    p.smoker = true;
    p.acne_scars = true;
    const PatientRow row = patient_row(p);
    CHECK(row[0] == 61.5);
    CHECK(row[1] == 2.0);
    CHECK(row[7] == 1.0);
    const Patient q = patient_from_row(row.data());
    CHECK(patient_row(q) == row);
    PatientRow bad = row;
    bad[2] = 3.0;
    CHECK_THROWS_WITH(
        patient_from_row(bad.data(), "patients[4]"),
        Catch::Matchers::Equals("patients[4]: vitamin_c code must be an integer in [0, 2], got 3"));
    bad = row;
    bad[0] = 12.0;
    CHECK_THROWS_WITH(patient_from_row(bad.data()), Catch::Matchers::Contains("patient: age"));
    bad = row;
    bad[5] = 0.5;
    CHECK_THROWS_WITH(patient_from_row(bad.data()), Catch::Matchers::Contains("photoaged"));
}

TEST_CASE("the model's events are built from the effective parameters and the baseline") {
    Patient p;
    p.reactive_skin = true;
    p.phototype = 4;
    const Params q = apply_covariates(default_parameters(), p);
    const State base = Mn14System(q).baseline();
    const ModelEvents e = model_events(q, base);
    CHECK(e[event_redness_visible].level == q[p_R_vis]);
    CHECK(e[event_downtime].level == q[p_R_vis] * q[p_R_down_frac]);
    // G = w . y - c, zero at the baseline: the level is c + G_jnd.
    const LinearEvent& g = e[event_visible_improvement];
    CHECK(g.weights[iCm] == q[p_g_scale]);
    CHECK(g.weights[iC3] == q[p_g_scale] * q[p_g_imm]);
    CHECK(g.weights[iE] == q[p_g_scale] * q[p_g_E]);
    CHECK(g.weights[iR] == 0.0);
    CHECK(g.level == visible_terms(base, q) + q[p_G_jnd]);
    double at_base = 0.0;
    for (std::size_t i = 0; i < kNumStates; ++i) at_base += g.weights[i] * base[i];
    CHECK(at_base - (g.level - q[p_G_jnd]) == Approx(0.0).margin(1e-12));
    CHECK(kEventNames[event_visible_improvement] == "visible_improvement");
}

TEST_CASE("the per-session summary: one episode per session, chained while still above") {
    const ModelEvents events = redness_at(0.5);
    SECTION("the last downward flow crossing of each window ends its episode") {
        Trajectory tr = redness_trajectory({0.0, 10.0}, {1.0, 1.0},
                                           {{0, 0.0, 1, true},
                                            {0, 1.0, -1, false},
                                            {0, 2.0, 1, false},
                                            {0, 3.0, -1, false},
                                            {0, 10.0, 1, true},
                                            {0, 12.5, -1, false}});
        summarize_events(tr, 30.0, events);
        CHECK(tr.time_above[0] == 3.0);
        CHECK(tr.time_above[1] == 2.5);
        CHECK(tr.first_upward[0] == 0.0);
        CHECK(std::isnan(tr.first_upward[1]));  // no crossing of event 1
        // Event 1 has no crossing and is above after both sessions: one episode to the horizon.
        CHECK(tr.time_above[2] == 30.0);
        CHECK(tr.time_above[3] == 20.0);
    }
    SECTION("still above when the next session comes: the episode goes on") {
        // Redness never falls in the first window, then ends on day 12 after the second session.
        Trajectory tr =
            redness_trajectory({0.0, 10.0}, {1.0, 1.0}, {{0, 0.0, 1, true}, {0, 12.0, -1, false}});
        summarize_events(tr, 30.0, events);
        CHECK(tr.time_above[0] == 10.0 + 2.0);
        CHECK(tr.time_above[1] == 2.0);
    }
    SECTION("below after the session and no crossing: no time above; at the horizon: all of it") {
        Trajectory tr = redness_trajectory({0.0, 10.0}, {0.1, 1.0}, {});
        summarize_events(tr, 25.0, events);
        CHECK(tr.time_above[0] == 0.0);
        CHECK(tr.time_above[1] == 15.0);
    }
    SECTION("no sessions: an empty summary") {
        Trajectory tr = redness_trajectory({}, {}, {});
        summarize_events(tr, 25.0, events);
        CHECK(tr.time_above.empty());
        REQUIRE(tr.first_upward.size() == kNumEvents);
        CHECK(std::isnan(tr.first_upward[0]));
    }
}

TEST_CASE("daily sessions: the first session's redness lasts until the skin clears") {
    SimulationRequest r;
    r.sessions = regular_sessions(5, 1.0, 2.0);
    r.t_out = days(30);
    const Trajectory tr = simulate(r);
    const double* above = tr.time_above.data() + event_redness_visible * 5;
    for (std::size_t k = 0; k + 1 < 5; ++k) CHECK(above[k] == 1.0 + above[k + 1]);
    CHECK(above[4] > 0.5);
}
