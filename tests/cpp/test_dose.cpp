#include <cmath>

#include "catch.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/schedule.hpp"

using namespace skinremodel;
using catch_compat::Approx;

namespace {
double u_of(double depth, double density = 250.0) {
    Session s;
    s.depth_mm = depth;
    s.density_per_cm2 = density;
    return session_dose(s, default_parameters()).u;
}
}  // namespace

TEST_CASE("dose is 1 for the reference session (1.5 mm, 250 punctures/cm2)") {
    CHECK(u_of(1.5) == Approx(1.0).epsilon(1e-14));
}

TEST_CASE("dose against needle depth follows the design table (section 2.5)") {
    CHECK(u_of(0.25) == Approx(0.0625).epsilon(1e-12));  // design: 0.06
    CHECK(u_of(0.5) == Approx(0.25).epsilon(1e-12));     // design: 0.25
    CHECK(u_of(1.0) == Approx(0.625).epsilon(1e-12));    // design: 0.63
    CHECK(u_of(2.0) == Approx(1.375).epsilon(1e-12));    // design: 1.38
    CHECK(u_of(2.5) == Approx(1.75).epsilon(1e-12));     // design: 1.75
}

TEST_CASE("dose against puncture density saturates as the design states") {
    CHECK(u_of(1.5, 50) == Approx(0.23).margin(0.005));
    CHECK(u_of(1.5, 125) == Approx(0.55).margin(0.005));
    CHECK(u_of(1.5, 500) == Approx(1.67).margin(0.005));
    CHECK(u_of(1.5, 1000) == Approx(2.43).margin(0.005));
}

TEST_CASE("needles that do not pass the epidermis give no dermal dose") {
    // eta_pen * L <= e_epi  <=>  L <= 0.1 / 0.6 mm
    CHECK(u_of(0.15) == 0.0);
}

TEST_CASE("redness vascular factor scales with depth") {
    Session s;
    s.depth_mm = 0.75;
    CHECK(session_dose(s, default_parameters()).v == Approx(0.5));
}

TEST_CASE("sessions are validated and errors name the session") {
    const Params& p = default_parameters();
    std::vector<Session> s(2);
    s[0].time = 0;
    s[1].time = 0;
    CHECK_THROWS_WITH(check_sessions(s, p), Catch::Matchers::Contains("sessions[1]") &&
                                                Catch::Matchers::Contains("distinct days"));
    s[1].time = 10;
    s[1].depth_mm = 7.0;
    CHECK_THROWS_WITH(check_sessions(s, p), Catch::Matchers::Contains("depth_mm"));
    s[1].depth_mm = 1.5;
    s[0].time = -1;
    CHECK_THROWS_AS(check_sessions(s, p), InvalidInput);
    s[0].time = std::nan("");
    CHECK_THROWS_AS(check_sessions(s, p), InvalidInput);
    s[0].time = 0;
    CHECK_NOTHROW(check_sessions(s, p));
}
