// RODAS 4(3): the L-stable, stiffly accurate Rosenbrock method of Hairer & Wanner (Solving ODEs II,
// section IV.7) with its third-order dense output. The coefficients are those of odeint's
// rosenbrock4, which only runs on uBLAS types with heap storage; this version works on fixed-size
// arrays (no allocation) and factorises the iteration matrix by blocks (see block_lu.hpp). A
// Catch2 test checks that one step of each agrees.
#pragma once

#include <cstddef>

#include "skinremodel/model/state.hpp"
#include "skinremodel/numerics/rosenbrock.hpp"
#include "skinremodel/model/system.hpp"

namespace skinremodel::numerics {

struct Rodas4Coefficients {
    static constexpr double gamma = 0.25;
    static constexpr double d1 = 0.25, d2 = -0.1043, d3 = 0.1035, d4 = 0.3620000000000023e-01;
    static constexpr double c2 = 0.386, c3 = 0.21, c4 = 0.63;
    static constexpr double c21 = -0.5668800000000000e+01;
    static constexpr double a21 = 0.1544000000000000e+01;
    static constexpr double c31 = -0.2430093356833875e+01, c32 = -0.2063599157091915e+00;
    static constexpr double a31 = 0.9466785280815826e+00, a32 = 0.2557011698983284e+00;
    static constexpr double c41 = -0.1073529058151375e+00, c42 = -0.9594562251023355e+01;
    static constexpr double c43 = -0.2047028614809616e+02;
    static constexpr double a41 = 0.3314825187068521e+01, a42 = 0.2896124015972201e+01;
    static constexpr double a43 = 0.9986419139977817e+00;
    static constexpr double c51 = 0.7496443313967647e+01, c52 = -0.1024680431464352e+02;
    static constexpr double c53 = -0.3399990352819905e+02, c54 = 0.1170890893206160e+02;
    static constexpr double a51 = 0.1221224509226641e+01, a52 = 0.6019134481288629e+01;
    static constexpr double a53 = 0.1253708332932087e+02, a54 = -0.6878860361058950e+00;
    static constexpr double c61 = 0.8083246795921522e+01, c62 = -0.7981132988064893e+01;
    static constexpr double c63 = -0.3152159432874371e+02, c64 = 0.1631930543123136e+02;
    static constexpr double c65 = -0.6058818238834054e+01;
    static constexpr double d21 = 0.1012623508344586e+02, d22 = -0.7487995877610167e+01;
    static constexpr double d23 = -0.3480091861555747e+02, d24 = -0.7992771707568823e+01;
    static constexpr double d25 = 0.1025137723295662e+01;
    static constexpr double d31 = -0.6762803392801253e+00, d32 = 0.6087714651680015e+01;
    static constexpr double d33 = 0.1643084320892478e+02, d34 = 0.2476722511418386e+02;
    static constexpr double d35 = -0.6594389125716872e+01;
};

// Dense output: third order, two coefficient vectors (see rosenbrock.hpp).
class Rodas4 : public RosenbrockBase<2> {
public:
    static constexpr int order = 4;
    static constexpr int error_order = 3;
    static constexpr bool predictive_controller = true;  // Gustafsson, as odeint's controller

    // One step of size dt from (x, t); returns false if the iteration matrix is singular (the
    // driver then retries with a smaller step). When retry is true, x and t are those of the
    // previous call (a rejected step), so the Jacobian is reused and only W is refactorised.
    bool try_step(const Mn14System& sys, const State& x, double t, double dt, bool retry,
                  State& xout, State& xerr) {
        using C = Rodas4Coefficients;
        // W = I / (gamma dt) - J, factorised by blocks.
        if (!prepare(sys, x, t, dt, retry, C::gamma)) return false;

        const double inv = 1.0 / dt;
        State r, xs;
        for (std::size_t i = 0; i < n; ++i) r[i] = dxdt_[i] + dt * C::d1 * dfdt_[i];
        lu_.solve(r.data(), g1_.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] = x[i] + C::a21 * g1_[i];
        sys(xs, fk_, t + C::c2 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk_[i] + dt * C::d2 * dfdt_[i] + C::c21 * inv * g1_[i];
        lu_.solve(r.data(), g2_.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] = x[i] + C::a31 * g1_[i] + C::a32 * g2_[i];
        sys(xs, fk_, t + C::c3 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk_[i] + dt * C::d3 * dfdt_[i] + inv * (C::c31 * g1_[i] + C::c32 * g2_[i]);
        lu_.solve(r.data(), g3_.data());

        for (std::size_t i = 0; i < n; ++i)
            xs[i] = x[i] + C::a41 * g1_[i] + C::a42 * g2_[i] + C::a43 * g3_[i];
        sys(xs, fk_, t + C::c4 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk_[i] + dt * C::d4 * dfdt_[i] +
                   inv * (C::c41 * g1_[i] + C::c42 * g2_[i] + C::c43 * g3_[i]);
        lu_.solve(r.data(), g4_.data());

        for (std::size_t i = 0; i < n; ++i)
            xs[i] = x[i] + C::a51 * g1_[i] + C::a52 * g2_[i] + C::a53 * g3_[i] + C::a54 * g4_[i];
        sys(xs, fk_, t + dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk_[i] + inv * (C::c51 * g1_[i] + C::c52 * g2_[i] + C::c53 * g3_[i] +
                                   C::c54 * g4_[i]);
        lu_.solve(r.data(), g5_.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] += g5_[i];
        sys(xs, fk_, t + dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk_[i] + inv * (C::c61 * g1_[i] + C::c62 * g2_[i] + C::c63 * g3_[i] +
                                   C::c64 * g4_[i] + C::c65 * g5_[i]);
        lu_.solve(r.data(), xerr.data());
        for (std::size_t i = 0; i < n; ++i) xout[i] = xs[i] + xerr[i];
        return true;
    }

    void accept(const Mn14System&) {
        using C = Rodas4Coefficients;
        for (std::size_t i = 0; i < n; ++i) {
            dense_[0][i] = C::d21 * g1_[i] + C::d22 * g2_[i] + C::d23 * g3_[i] +
                           C::d24 * g4_[i] + C::d25 * g5_[i];
            dense_[1][i] = C::d31 * g1_[i] + C::d32 * g2_[i] + C::d33 * g3_[i] +
                           C::d34 * g4_[i] + C::d35 * g5_[i];
        }
    }

private:
    State fk_{}, g1_{}, g2_{}, g3_{}, g4_{}, g5_{};
};

}  // namespace skinremodel::numerics
