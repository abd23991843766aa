// The bound tables and their checks, and the patient row.
#include <cmath>
#include <limits>

#include "catch.hpp"
#include "helpers.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/limits.hpp"
#include "skinremodel/simulation/limits.hpp"
#include "skinremodel/simulation/simulate.hpp"

using namespace skinremodel;
using namespace testing_helpers;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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
