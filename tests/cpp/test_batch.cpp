// The batch engine: bitwise identical to one-by-one simulation whatever the number of threads,
// failures confined to their item, the summary of the crossings the same as a single run's.
#include <cmath>
#include <cstring>

#include "catch.hpp"
#include "helpers.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/simulation/batch.hpp"

using namespace skinremodel;
using namespace testing_helpers;

namespace {

// A small population: ages and two parameter sets, two plans, every combination.
BatchRequest population_request() {
    BatchRequest r;
    r.params.push_back(default_parameters());
    Params slow = default_parameters();
    slow[p_k_mat] *= 0.5;
    slow[p_s_w] *= 1.3;
    r.params.push_back(slow);
    for (double age : {25.0, 45.0, 70.0}) {
        Patient p;
        p.age = age;
        p.diabetes = age > 60 ? Diabetes::controlled : Diabetes::none;
        r.patients.push_back(p);
    }
    r.plans = {regular_sessions(3, 28, 1.0), regular_sessions(6, 30, 1.5)};
    for (std::size_t pa = 0; pa < r.params.size(); ++pa)
        for (std::size_t pt = 0; pt < r.patients.size(); ++pt)
            for (std::size_t pl = 0; pl < r.plans.size(); ++pl) r.items.push_back({pa, pt, pl});
    r.t_out = {0.0, 14.0, 28.0, 90.0, 180.0, 200.0};
    return r;
}

Trajectory serial(const BatchRequest& r, std::size_t i) {
    SimulationRequest s;
    s.params = r.params[r.items[i].params];
    s.patient = r.patients[r.items[i].patient];
    s.sessions = r.plans[r.items[i].plan];
    s.t_out = r.t_out;
    s.options = r.options;
    return simulate(s);
}

bool same_bits(const double* a, const double* b, std::size_t n) {
    return std::memcmp(a, b, n * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("a batch equals one-by-one simulation bitwise, for 1, 2 and 4 threads") {
    const BatchRequest r = population_request();
    const std::size_t n_t = r.t_out.size(), n_x = kNumStates;
    for (std::size_t threads : {1u, 2u, 4u}) {
        const BatchResult b = simulate_batch(r, threads);
        REQUIRE(b.n_items == r.items.size());
        REQUIRE(b.max_sessions == 6);
        for (std::size_t i = 0; i < b.n_items; ++i) {
            INFO("threads " << threads << ", item " << i);
            const Trajectory tr = serial(r, i);
            REQUIRE(b.status[i] == ItemStatus::ok);
            CHECK(same_bits(b.states.data() + i * n_t * n_x, tr.y.data(), n_t * n_x));
            CHECK(b.sessions[i] == tr.session_times.size());
            CHECK(same_bits(b.post_session.data() + i * b.max_sessions * n_x,
                            tr.post_session.data(), tr.post_session.size()));
            CHECK(b.stats[i].steps == tr.stats.steps);
            CHECK(b.stats[i].rhs_evaluations == tr.stats.rhs_evaluations);
        }
    }
}

TEST_CASE("items really differ: the batch is not one simulation copied") {
    const BatchRequest r = population_request();
    const BatchResult b = simulate_batch(r, 2);
    const std::size_t stride = r.t_out.size() * kNumStates,
                      last = (r.t_out.size() - 1) * kNumStates;
    // Collagen at day 200: younger patients gain more, the 6-session plan more than 3 sessions.
    auto collagen = [&](std::size_t i) {
        const double* y = b.states.data() + i * stride + last;
        return y[iC3] + y[iC1] + y[iCf] + y[iCm];
    };
    // Items are ordered params x patients x plans.
    CHECK(collagen(0) > collagen(2));  // age 25 vs 45, 3 sessions
    CHECK(collagen(2) > collagen(4));  // age 45 vs 70 with diabetes
    CHECK(collagen(1) > collagen(0));  // 6 sessions vs 3 sessions, age 25
}

TEST_CASE("a failing item is recorded and does not spoil the others") {
    BatchRequest r = population_request();
    // Invalid input for the second parameter set (a negative rate), and a solver failure for a
    // third one whose fast growth-factor decay exhausts the step budget of the explicit method.
    Params invalid = default_parameters();
    invalid[p_k_mat] = -0.01;
    Params stiff = default_parameters();
    stiff[p_d_T] = 3000.0;
    r.params = {default_parameters(), invalid, stiff};
    r.options.method = Method::dopri5;
    r.options.max_steps = 6000;
    r.items = {{0, 0, 0}, {1, 0, 0}, {0, 1, 1}, {2, 0, 0}, {0, 2, 1}};
    const BatchResult b = simulate_batch(r, 2);
    CHECK(b.status[0] == ItemStatus::ok);
    CHECK(b.status[1] == ItemStatus::invalid_input);
    CHECK_THAT(b.error[1], Catch::Matchers::Contains("k_mat"));
    CHECK(b.status[2] == ItemStatus::ok);
    CHECK(b.status[3] == ItemStatus::solver_error);
    CHECK_THAT(b.error[3], Catch::Matchers::Contains("max_steps"));
    CHECK(b.status[4] == ItemStatus::ok);
    const std::size_t stride = r.t_out.size() * kNumStates;
    for (std::size_t i : {1u, 3u}) CHECK(std::isnan(b.states[i * stride]));
    for (std::size_t i : {0u, 2u, 4u}) {
        INFO("item " << i);
        CHECK(b.error[i].empty());
        const Trajectory tr = serial(r, i);
        CHECK(same_bits(b.states.data() + i * stride, tr.y.data(), stride));
    }
}

TEST_CASE("a batch returns each item's event summary, effective parameters and baseline") {
    BatchRequest r = population_request();
    r.items.resize(4);
    const BatchResult b = simulate_batch(r, 1);
    REQUIRE(b.n_events == kNumEvents);
    for (std::size_t i = 0; i < b.n_items; ++i) {
        INFO("item " << i);
        const Trajectory tr = serial(r, i);
        const std::size_t n_s = tr.session_times.size(), m = b.max_sessions;
        CHECK(same_bits(b.session_times.data() + i * m, tr.session_times.data(), n_s));
        for (std::size_t k = n_s; k < m; ++k) CHECK(std::isnan(b.session_times[i * m + k]));
        for (std::size_t e = 0; e < kNumEvents; ++e) {
            CHECK(same_bits(b.time_above.data() + (i * kNumEvents + e) * m,
                            tr.time_above.data() + e * n_s, n_s));
            for (std::size_t k = n_s; k < m; ++k)
                CHECK(std::isnan(b.time_above[(i * kNumEvents + e) * m + k]));
        }
        CHECK(
            same_bits(b.first_upward.data() + i * kNumEvents, tr.first_upward.data(), kNumEvents));
        CHECK(same_bits(b.effective.data() + i * kNumParams, tr.effective.data(), kNumParams));
        CHECK(same_bits(b.baseline.data() + i * kNumStates, tr.baseline.data(), kNumStates));
        // Redness is visible for 12-72 h after every session of a clinical plan, and appears at
        // once: the first upward crossing is the jump of the first session.
        for (std::size_t k = 0; k < n_s; ++k) {
            const double hours =
                24.0 * b.time_above[(i * kNumEvents + event_redness_visible) * m + k];
            CHECK(hours > 12.0);
            CHECK(hours < 72.0);
        }
        CHECK(b.first_upward[i * kNumEvents + event_redness_visible] == tr.session_times[0]);
    }
}

TEST_CASE("bad batch requests raise InvalidInput naming the field") {
    BatchRequest r = population_request();
    r.items[3].plan = 7;
    CHECK_THROWS_WITH(simulate_batch(r), Catch::Matchers::Contains("items[3].plan"));
    r = population_request();
    r.t_out = {0.0, 20.0, 10.0};
    CHECK_THROWS_AS(simulate_batch(r), InvalidInput);
    r = population_request();
    r.options.rtol = 0.0;
    CHECK_THROWS_WITH(simulate_batch(r), Catch::Matchers::Contains("rtol"));
}

TEST_CASE("an empty batch is valid and returns nothing") {
    BatchRequest r = population_request();
    r.items.clear();
    const BatchResult b = simulate_batch(r, 4);
    CHECK(b.n_items == 0);
    CHECK(b.states.empty());
}
