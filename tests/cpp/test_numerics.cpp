// The numerics of cpp/include/skinremodel/numerics on small test problems, without the model:
// this file includes numerics headers only and its executable does not link the engine (CMake
// also checks that no numerics header includes anything outside numerics/). Robertson's and van
// der Pol's stiff problems against Boost.Odeint's rosenbrock4 at tight tolerances, orders of
// convergence with fixed steps, the W-method property of ROS34PW2, the step-size controller and
// the block LU on patterns other than MN-14's.
#include <Eigen/LU>
#include <array>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "catch.hpp"
#include "skinremodel/numerics/block_lu.hpp"
#include "skinremodel/numerics/controller.hpp"
#include "skinremodel/numerics/dopri5.hpp"
#include "skinremodel/numerics/fifth_root.hpp"
#include "skinremodel/numerics/initial_step.hpp"
#include "skinremodel/numerics/rosenbrock.hpp"
#include "skinremodel/numerics/rosenbrock_tableaus.hpp"
#include "skinremodel/numerics/softplus.hpp"
#include "skinremodel/numerics/system.hpp"

using namespace skinremodel::numerics;
using catch_compat::Approx;

namespace {

// ---------------------------------------------------------------------------- test problems

// Robertson's chemical kinetics (Hairer & Wanner II, section IV.1): stiff, with the linear
// invariant y1 + y2 + y3 = 1 that Rosenbrock methods keep up to rounding.
struct Robertson {
    static constexpr std::size_t size = 3;
    using state_type = std::array<double, 3>;
    using jacobian_type = std::array<double, 9>;
    using linear_solver = DenseLU<3>;
    void operator()(const state_type& y, state_type& f, double) const {
        f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
        f[2] = 3e7 * y[1] * y[1];
        f[1] = -f[0] - f[2];
    }
    void jacobian(const state_type& y, double, jacobian_type& J, state_type& dfdt) const {
        // Row-major: rows d f0, d f1, d f2 by y0, y1, y2.
        const double a = 1e4 * y[1], b = 1e4 * y[2], c = 6e7 * y[1];
        J = {-0.04, b, a, 0.04, -b - c, -a, 0.0, c, 0.0};
        dfdt = {0.0, 0.0, 0.0};
    }
};

// Van der Pol's oscillator y1'' = mu (1 - y1^2) y1' - y1 with mu = 1000: relaxation
// oscillations with a period of about (3 - 2 ln 2) mu, stiff on the slow branches.
struct VanDerPol {
    static constexpr std::size_t size = 2;
    using state_type = std::array<double, 2>;
    using jacobian_type = std::array<double, 4>;
    using linear_solver = DenseLU<2>;
    double mu = 1000.0;
    void operator()(const state_type& y, state_type& f, double) const {
        f[0] = y[1];
        f[1] = mu * (1.0 - y[0] * y[0]) * y[1] - y[0];
    }
    void jacobian(const state_type& y, double, jacobian_type& J, state_type& dfdt) const {
        J = {0.0, 1.0, -2.0 * mu * y[0] * y[1] - 1.0, mu * (1.0 - y[0] * y[0])};
        dfdt = {0.0, 0.0};
    }
};

// A smooth, non-autonomous, non-linear problem for orders of convergence. With an arbitrary
// matrix T set, jacobian() returns T instead of df/dy (and no df/dt): what a W-method allows.
struct Smooth {
    static constexpr std::size_t size = 2;
    using state_type = std::array<double, 2>;
    using jacobian_type = std::array<double, 4>;
    using linear_solver = DenseLU<2>;
    bool autonomous = false;
    const jacobian_type* T = nullptr;
    void operator()(const state_type& y, state_type& f, double t) const {
        f[0] = -y[0] * y[1] + (autonomous ? 0.3 : std::sin(t));
        f[1] = y[0] - 0.5 * y[1] * y[1] + (autonomous ? -0.2 : std::cos(2 * t));
    }
    void jacobian(const state_type& y, double t, jacobian_type& J, state_type& dfdt) const {
        if (T != nullptr) {
            J = *T;
            dfdt = {0.0, 0.0};
            return;
        }
        J = {-y[1], -y[0], 1.0, -y[1]};
        dfdt = autonomous ? state_type{0.0, 0.0} : state_type{std::cos(t), -2.0 * std::sin(2 * t)};
    }
};

// y'' = -y: enough for an explicit method, which needs no Jacobian.
struct Oscillator {
    static constexpr std::size_t size = 2;
    using state_type = std::array<double, 2>;
    void operator()(const state_type& y, state_type& f, double) const { f = {y[1], -y[0]}; }
};

static_assert(is_rosenbrock_system_v<Robertson> && is_rosenbrock_system_v<VanDerPol> &&
              is_rosenbrock_system_v<Smooth>);
static_assert(!is_rosenbrock_system_v<int> && !is_rosenbrock_system_v<Oscillator>);

// ------------------------------------------------------------------------------ integrators

struct Run {
    std::size_t accepted = 0, rejected = 0;
};

// Adaptive integration from t0 to t1 with a stepper and the controller, as the engine's driver
// does it (without sessions, outputs or events).
template <class Stepper, class System>
Run integrate(const System& sys, typename System::state_type& y, double t0, double t1, double rtol,
              double atol) {
    Stepper stepper;
    StepSizeController<Stepper::error_order> controller(Stepper::predictive_controller);
    std::array<double, System::size> tol;
    tol.fill(atol);
    double t = t0;
    double h = initial_step(sys, y, t, t1 - t0, rtol, tol, Stepper::order);
    typename System::state_type y_new{}, err{};
    bool retry = false;
    Run run;
    stepper.begin(sys, y, t);
    while (t < t1) {
        REQUIRE(run.accepted + run.rejected < 1000000);
        const double h_try = std::min(h, t1 - t);
        double e = stepper.try_step(sys, y, t, h_try, retry, y_new, err)
                       ? weighted_rms_norm(err, y, y_new, rtol, tol)
                       : 1e10;
        if (!std::isfinite(e)) e = 1e10;
        if (e <= 1.0) {
            stepper.accept(sys);
            y = y_new;
            t = (h_try == t1 - t) ? t1 : t + h_try;
            h = controller.accept(h_try, e);
            retry = false;
            ++run.accepted;
        } else {
            h = controller.reject(h_try, e);
            retry = true;
            ++run.rejected;
            REQUIRE(!StepSizeController<Stepper::error_order>::too_small(h, t));
        }
    }
    return run;
}

// The same problem with Boost.Odeint's rosenbrock4 (uBLAS, its own controller): an independent
// reference.
template <class System>
typename System::state_type odeint_reference(const System& sys, typename System::state_type y0,
                                             double t0, double t1, double tol) {
    namespace odeint = boost::numeric::odeint;
    namespace ublas = boost::numeric::ublas;
    constexpr std::size_t n = System::size;
    const auto f = [&](const ublas::vector<double>& x, ublas::vector<double>& dx, double t) {
        typename System::state_type a, b;
        std::copy(x.begin(), x.end(), a.begin());
        sys(a, b, t);
        std::copy(b.begin(), b.end(), dx.begin());
    };
    const auto jac = [&](const ublas::vector<double>& x, ublas::matrix<double>& J, double t,
                         ublas::vector<double>& dfdt) {
        typename System::state_type a, d;
        typename System::jacobian_type Ja;
        std::copy(x.begin(), x.end(), a.begin());
        sys.jacobian(a, t, Ja, d);
        for (std::size_t i = 0; i < n; ++i) {
            dfdt[i] = d[i];
            for (std::size_t j = 0; j < n; ++j) J(i, j) = Ja[i * n + j];
        }
    };
    ublas::vector<double> x(n);
    std::copy(y0.begin(), y0.end(), x.begin());
    odeint::integrate_adaptive(odeint::make_controlled(tol, tol, odeint::rosenbrock4<double>()),
                               std::make_pair(f, jac), x, t0, t1, 1e-6);
    typename System::state_type out;
    std::copy(x.begin(), x.end(), out.begin());
    return out;
}

// Fixed steps: n steps of size (t1 - t0) / n.
template <class Tableau, class System>
typename System::state_type fixed_steps(const System& sys, typename System::state_type y, double t0,
                                        double t1, int n) {
    Rosenbrock<System, Tableau> stepper;
    const double h = (t1 - t0) / n;
    typename System::state_type y_new{}, err{};
    for (int k = 0; k < n; ++k) {
        REQUIRE(stepper.try_step(sys, y, t0 + k * h, h, false, y_new, err));
        stepper.accept(sys);
        y = y_new;
    }
    return y;
}

template <std::size_t N>
double distance(const std::array<double, N>& a, const std::array<double, N>& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < N; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(s);
}

// Observed order log2(e(n) / e(2n)) for the steps n0 and 2 n0, against a reference of 16 times
// finer steps with Rodas5P.
template <class Tableau>
double observed_order(const Smooth& sys, int n0) {
    const Smooth::state_type y0 = {1.0, 0.5};
    const double t1 = 2.0;
    const auto ref = fixed_steps<Rodas5PTableau>(Smooth{sys.autonomous}, y0, 0.0, t1, 32 * n0);
    const double e1 = distance(fixed_steps<Tableau>(sys, y0, 0.0, t1, n0), ref);
    const double e2 = distance(fixed_steps<Tableau>(sys, y0, 0.0, t1, 2 * n0), ref);
    return std::log2(e1 / e2);
}

}  // namespace

// ------------------------------------------------------------------------------------- tests

TEMPLATE_TEST_CASE("Robertson to t = 1e5 agrees with odeint's rosenbrock4 and keeps its mass",
                   "[numerics]", Rodas5PTableau, Rodas4Tableau, Ros34pw2Tableau) {
    const Robertson sys;
    const Robertson::state_type y0 = {1.0, 0.0, 0.0};
    const auto ref40 = odeint_reference(sys, y0, 0.0, 40.0, 1e-12);
    // Published values at t = 40 (Hairer & Wanner II, section IV.10) confirm the reference.
    CHECK(ref40[0] == Approx(0.7158270687).epsilon(1e-8));
    CHECK(ref40[1] == Approx(9.185534765e-6).epsilon(1e-7));
    CHECK(ref40[2] == Approx(0.2841637457).epsilon(1e-8));

    const auto ref = odeint_reference(sys, y0, 0.0, 1e5, 1e-12);
    Robertson::state_type y = y0;
    const Run run = integrate<Rosenbrock<Robertson, TestType>>(sys, y, 0.0, 1e5, 1e-8, 1e-14);
    INFO(run.accepted << " accepted, " << run.rejected << " rejected steps; y = " << y[0] << ", "
                      << y[1] << ", " << y[2]);
    CHECK(run.accepted < 5000);
    for (std::size_t i = 0; i < 3; ++i) CHECK(y[i] == Approx(ref[i]).epsilon(2e-6));
    CHECK(std::abs(y[0] + y[1] + y[2] - 1.0) < 1e-13);
}

TEMPLATE_TEST_CASE("van der Pol with mu = 1000 through a relaxation jump agrees with odeint",
                   "[numerics]", Rodas5PTableau, Rodas4Tableau, Ros34pw2Tableau) {
    const VanDerPol sys;
    const VanDerPol::state_type y0 = {2.0, 0.0};
    // The first jump (y1 from about 1 to about -2) comes near t = 807: t = 1200 is on the slow
    // branch after it, where the phase error of the jump shows in y1 and y2.
    const double t1 = 1200.0;
    const auto ref = odeint_reference(sys, y0, 0.0, t1, 1e-12);
    REQUIRE(ref[0] < -1.0);
    VanDerPol::state_type y = y0;
    const Run run = integrate<Rosenbrock<VanDerPol, TestType>>(sys, y, 0.0, t1, 1e-9, 1e-9);
    INFO(run.accepted << " accepted, " << run.rejected << " rejected steps; y = " << y[0] << ", "
                      << y[1] << " against " << ref[0] << ", " << ref[1]);
    CHECK(y[0] == Approx(ref[0]).epsilon(1e-6));
    CHECK(y[1] == Approx(ref[1]).epsilon(1e-5));
}

TEST_CASE("fixed steps converge with the order of each method", "[numerics]") {
    const Smooth sys;
    const double p4 = observed_order<Rodas4Tableau>(sys, 20);
    const double p5 = observed_order<Rodas5PTableau>(sys, 10);
    const double p3 = observed_order<Ros34pw2Tableau>(sys, 20);
    INFO("RODAS4 " << p4 << ", Rodas5P " << p5 << ", ROS34PW2 " << p3);
    CHECK(p4 == Approx(4.0).margin(0.3));
    CHECK(p5 == Approx(5.0).margin(0.3));
    CHECK(p3 == Approx(3.0).margin(0.3));
}

TEST_CASE("ROS34PW2 keeps order 3 with an arbitrary matrix for the Jacobian, RODAS4 does not",
          "[numerics]") {
    for (const Smooth::jacobian_type& T :
         {Smooth::jacobian_type{0.0, 0.0, 0.0, 0.0}, Smooth::jacobian_type{-2.0, 0.5, 0.3, -1.0},
          Smooth::jacobian_type{1.5, -3.0, 2.0, 0.7}}) {
        Smooth sys;
        sys.autonomous = true;
        sys.T = &T;
        const double p = observed_order<Ros34pw2Tableau>(sys, 20);
        INFO("T = " << T[0] << ", " << T[1] << ", " << T[2] << ", " << T[3] << ": order " << p);
        CHECK(p == Approx(3.0).margin(0.3));
        // RODAS4 is a Rosenbrock method, not a W-method: a wrong Jacobian costs it its order.
        CHECK(observed_order<Rodas4Tableau>(sys, 20) < 3.0);
    }
}

TEST_CASE("the embedded error estimates have the order of their tables", "[numerics]") {
    // The error estimate of one step of size h is O(h^(q+1)), q = error_order.
    const Smooth sys;
    const auto estimate_order = [&](auto tag) {
        using Tableau = decltype(tag);
        Rosenbrock<Smooth, Tableau> st;
        Smooth::state_type out{}, err{};
        const Smooth::state_type y0 = {1.0, 0.5};
        REQUIRE(st.try_step(sys, y0, 0.3, 0.02, false, out, err));
        const double e1 = std::hypot(err[0], err[1]);
        REQUIRE(st.try_step(sys, y0, 0.3, 0.01, false, out, err));
        const double e2 = std::hypot(err[0], err[1]);
        return std::log2(e1 / e2) - 1.0;
    };
    CHECK(estimate_order(Rodas4Tableau{}) == Approx(3.0).margin(0.3));
    CHECK(estimate_order(Rodas5PTableau{}) == Approx(4.0).margin(0.3));
    CHECK(estimate_order(Ros34pw2Tableau{}) == Approx(2.0).margin(0.3));
}

TEST_CASE("the dense output matches the step's ends and converges inside it", "[numerics]") {
    const Smooth sys;
    const Smooth::state_type y0 = {1.0, 0.5};
    const auto interpolation_error = [&](auto tag, double h) {
        using Tableau = decltype(tag);
        Rosenbrock<Smooth, Tableau> st;
        Smooth::state_type y1{}, err{}, mid{}, at0{}, at1{};
        REQUIRE(st.try_step(sys, y0, 0.0, h, false, y1, err));
        st.accept(sys);
        st.interpolate(0.0, at0, y0, 0.0, y1, h);
        st.interpolate(h, at1, y0, 0.0, y1, h);
        CHECK(distance(at0, y0) == 0.0);
        CHECK(distance(at1, y1) < 1e-15);
        st.interpolate(0.3 * h, mid, y0, 0.0, y1, h);
        return distance(mid, fixed_steps<Rodas5PTableau>(sys, y0, 0.0, 0.3 * h, 64));
    };
    // Local error of the interpolant O(h^(p+1)) for a dense output of order p.
    const double r4 = std::log2(interpolation_error(Rodas4Tableau{}, 0.08) /
                                interpolation_error(Rodas4Tableau{}, 0.04));
    const double r5 = std::log2(interpolation_error(Rodas5PTableau{}, 0.08) /
                                interpolation_error(Rodas5PTableau{}, 0.04));
    INFO("RODAS4 " << r4 << ", Rodas5P " << r5);
    CHECK(r4 > 3.7);  // third-order dense output
    CHECK(r5 > 4.7);  // fourth-order dense output
}

TEST_CASE("Dopri5 through the same controller solves a non-stiff problem", "[numerics]") {
    const Oscillator sys;
    Oscillator::state_type y = {1.0, 0.0};
    const Run run = integrate<Dopri5<Oscillator>>(sys, y, 0.0, 10.0, 1e-10, 1e-12);
    CHECK(run.accepted < 1000);
    CHECK(y[0] == Approx(std::cos(10.0)).epsilon(1e-8));
    CHECK(y[1] == Approx(-std::sin(10.0)).epsilon(1e-8));
}

TEST_CASE("fifth_root matches pow to 1e-10 over the whole range of doubles", "[numerics]") {
    // Log-spaced from 1e-300 to 1e300, 7 points per factor 2 (every exponent residue r and
    // every thirty-second of the mantissa is visited), and the ends of each thirty-second.
    double worst = 0.0;
    for (int i = -7000; i <= 7000; ++i) {
        const double x = std::pow(10.0, i * (300.0 / 7000.0));
        worst = std::max(worst, std::abs(fifth_root(x) / std::pow(x, 0.2) - 1.0));
    }
    for (int e = -40; e <= 40; ++e)
        for (int j = 0; j < 32; ++j)
            for (double at : {0.0, 1.0 - 1e-15}) {
                const double x = std::ldexp(1.0 + (j + at) / 32.0, e);
                worst = std::max(worst, std::abs(fifth_root(x) / std::pow(x, 0.2) - 1.0));
            }
    CHECK(worst < 1e-10);
    CHECK(worst > 0.0);  // it is an approximation: the check above is not vacuous
    // Powers of 32 exactly (the controller's err = 1 gives the factor 1 / safety exactly).
    CHECK(fifth_root(1.0) == 1.0);
    CHECK(fifth_root(32.0) == 2.0);
    CHECK(fifth_root(std::ldexp(1.0, -500)) == std::ldexp(1.0, -100));
    // Outside the positive normal doubles it is pow's.
    CHECK(fifth_root(0.0) == 0.0);
    CHECK(fifth_root(4e-320) == std::pow(4e-320, 0.2));
    CHECK(std::isinf(fifth_root(std::numeric_limits<double>::infinity())));
    CHECK(std::isnan(fifth_root(std::nan(""))));
    CHECK(std::isnan(fifth_root(-1.0)));
}

TEST_CASE("the controller grows, shrinks and bounds the step as odeint's does", "[numerics]") {
    using C4 = StepSizeController<4>;
    C4 c(false);
    c.restart();
    // err = 1: (1 / 1)^(1/5) / 0.9 -> h 0.9.
    CHECK(c.accept(1.0, 1.0) == Approx(0.9).epsilon(1e-15));
    // A tiny error grows the step by at most 6.
    CHECK(c.accept(1.0, 1e-30) == Approx(6.0).epsilon(1e-15));
    // err = 0.5^5: 2 times larger, less the safety factor.
    CHECK(c.accept(1.0, std::pow(0.5, 5)) == Approx(2.0 * 0.9).epsilon(1e-14));
    // Rejections shrink by (err^(1/5) / 0.9), at most 5, at least 1.
    CHECK(c.reject(1.0, 32.0) == Approx(0.9 / 2.0).epsilon(1e-14));
    CHECK(c.reject(1.0, 1e10) == Approx(0.2).epsilon(1e-15));
    CHECK(c.reject(1.0, 1.0 + 1e-12) == Approx(1.0 / (std::pow(1.0 + 1e-12, 0.2) / 0.9)));
    // After a rejection the next accepted step does not grow.
    CHECK(c.accept(1.0, 1e-30) == 1.0);
    CHECK(c.accept(1.0, 1e-30) == Approx(6.0));
    CHECK(C4::error_power(32.0) == Approx(2.0).epsilon(1e-15));
    CHECK(StepSizeController<3>::error_power(16.0) == 2.0);  // two square roots
    CHECK(C4::too_small(1e-16, 1.0));
    CHECK(C4::too_small(1e-12, 1e3));  // 16 eps 1e3 = 3.6e-12
    CHECK_FALSE(C4::too_small(1e-11, 1e3));
}

TEST_CASE("Gustafsson's predictive controller is more careful when the error grows", "[numerics]") {
    StepSizeController<3> elementary(false), predictive(true);
    elementary.restart();
    predictive.restart();
    // The first step has no history: both take the elementary proposal.
    CHECK(elementary.accept(1.0, 0.01) == predictive.accept(1.0, 0.01));
    // The error grew 50 times in one step: the prediction (h_old / h) (err^2 / err_old)^(1/4)
    // asks for a smaller step than the elementary controller.
    const double e = elementary.accept(1.0, 0.5), p = predictive.accept(1.0, 0.5);
    CHECK(p < e);
    CHECK(p == Approx(1.0 / (std::sqrt(std::sqrt(0.25 / 0.01)) / 0.9)).epsilon(1e-14));
    // restart() forgets the history.
    predictive.restart();
    CHECK(predictive.accept(1.0, 0.5) == Approx(e));
}

TEST_CASE("the weighted RMS norm uses the larger of the old and new values per component",
          "[numerics]") {
    const std::array<double, 2> err = {1e-3, 2e-3}, y_old = {1.0, -4.0}, y_new = {3.0, 1.0},
                                atol = {1e-3, 1e-6};
    const double s0 = 1e-3 + 1e-2 * 3.0, s1 = 1e-6 + 1e-2 * 4.0;
    const double expected = std::sqrt(((1e-3 / s0) * (1e-3 / s0) + (2e-3 / s1) * (2e-3 / s1)) / 2);
    CHECK(weighted_rms_norm(err, y_old, y_new, 1e-2, atol) == Approx(expected).epsilon(1e-15));
}

namespace {
// A 5 x 5 block lower-triangular pattern: blocks [0, 2), [2, 3), [3, 5).
constexpr std::uint32_t row(std::initializer_list<int> cols) {
    std::uint32_t m = 0;
    for (int c : cols) m |= 1u << c;
    return m;
}
inline constexpr std::array<std::uint32_t, 5> kPattern = {row({0, 1}), row({0, 1}), row({1, 2}),
                                                          row({0, 2, 3, 4}), row({2, 3, 4})};
inline constexpr std::array<std::size_t, 4> kBlocks = {0, 2, 3, 5};

template <class LU, std::size_t N>
void check_against_eigen(const std::array<double, N * N>& J, double shift) {
    using Matrix = Eigen::Matrix<double, N, N, Eigen::RowMajor>;
    const Matrix W = shift * Matrix::Identity() - Eigen::Map<const Matrix>(J.data());
    LU lu;
    REQUIRE(lu.compute(J.data(), shift));
    std::array<double, N> b, x;
    for (std::size_t i = 0; i < N; ++i) b[i] = std::cos(1.0 + i);
    lu.solve(b.data(), x.data());
    const Eigen::Matrix<double, N, 1> ref =
        W.partialPivLu().solve(Eigen::Map<const Eigen::Matrix<double, N, 1>>(b.data()));
    for (std::size_t i = 0; i < N; ++i) CHECK(x[i] == Approx(ref[i]).epsilon(1e-12));
}
}  // namespace

TEST_CASE("the block LU solves other patterns, and a dense system as one block", "[numerics]") {
    using LU = BlockLowerLU<5, 3, kPattern, kBlocks>;
    static_assert(LU::kNumCoupling == 4);  // (2,1), (3,0), (3,2), (4,2)
    std::array<double, 25> J{};
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 5; ++j)
            if ((kPattern[i] >> j) & 1u) J[i * 5 + j] = std::sin(3.0 * i + j + 1.0);
    for (double shift : {1e-3, 1.0, 1e4}) check_against_eigen<LU, 5>(J, shift);

    std::array<double, 16> D;
    for (std::size_t k = 0; k < 16; ++k) D[k] = std::cos(0.7 * k) * (k % 5 == 0 ? 3.0 : 1.0);
    for (double shift : {1e-3, 1.0, 1e4}) check_against_eigen<DenseLU<4>, 4>(D, shift);
    // A pivot is needed: W = [[0, 1], [1, 0]] (shift 0, J = -W).
    check_against_eigen<DenseLU<2>, 2>({0.0, -1.0, -1.0, 0.0}, 0.0);
    // Singular W is reported.
    DenseLU<2> lu;
    const std::array<double, 4> ones = {1.0, 1.0, 1.0, 1.0};
    CHECK_FALSE(lu.compute(ones.data(), 0.0));
}

TEST_CASE("softplus from its table agrees with log1p and exp to rounding", "[numerics]") {
    // Every interval of the table, 1000 points each, and both signs: within a few units in the
    // last place of glibc's max(z, 0) + log1p(exp(-|z|)) (each is within about 1 of the exact
    // value; tools/softplus_table.py measures the table against 60-digit arithmetic).
    double worst = 0.0, worst_softplus = 0.0;
    for (int k = 0; k < 40 * 4000; ++k) {
        const double a = (k + 0.5) / 4000.0;
        const double reference = std::log1p(std::exp(-a));
        worst = std::max(worst, std::abs(log1p_exp_neg(a) - reference) / reference);
        for (double z : {a, -a}) {
            const double expected = (z > 0.0 ? z : 0.0) + reference;
            worst_softplus = std::max(worst_softplus, std::abs(softplus(z) - expected) / expected);
        }
    }
    const double eps = std::numeric_limits<double>::epsilon();
    CHECK(worst < 4.0 * eps);
    CHECK(worst_softplus < 4.0 * eps);
    CHECK(log1p_exp_neg(0.0) == Approx(std::log(2.0)).epsilon(2e-16));
    CHECK(softplus(50.0) == 50.0);
    CHECK(softplus(-50.0) == std::exp(-50.0));
    CHECK(softplus(-1000.0) == 0.0);
    CHECK(softplus(1e300) == 1e300);
    CHECK(std::isnan(softplus(std::nan(""))));
}
