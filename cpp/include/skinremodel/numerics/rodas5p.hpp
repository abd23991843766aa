// Rodas5P: the L-stable, stiffly accurate Rosenbrock method of order 5(4) with 8 stages and a
// fourth-order dense output, by G. Steinebach ("Construction of Rosenbrock-Wanner method Rodas5P
// and numerical benchmarks within the Julia Differential Equations package", BIT Numerical
// Mathematics 63, 2023). Coefficients as published (also those of OrdinaryDiffEq.jl's Rodas5P).
//
// Same structure as Rodas4 (rodas4.hpp): one analytic Jacobian and one block LU of
// W = I / (gamma h) - J per step, one right-hand side and one solve per stage. It has two more
// stages than RODAS4 but, on MN-14 at the default tolerances, needs half the steps for a smaller
// error (docs/solvers.md), which is why it is the default.
#pragma once

#include <array>
#include <cstddef>

#include "skinremodel/model/state.hpp"
#include "skinremodel/numerics/rosenbrock.hpp"
#include "skinremodel/model/system.hpp"

namespace skinremodel::numerics {

struct Rodas5PCoefficients {
    static constexpr double gamma = 0.21193756319429014;
    static constexpr double a21 = 3.0;
    static constexpr double a31 = 2.849394379747939, a32 = 0.45842242204463923;
    static constexpr double a41 = -6.954028509809101, a42 = 2.489845061869568;
    static constexpr double a43 = -10.358996098473584;
    static constexpr double a51 = 2.8029986275628964, a52 = 0.5072464736228206;
    static constexpr double a53 = -0.3988312541770524, a54 = -0.04721187230404641;
    static constexpr double a61 = -7.502846399306121, a62 = 2.561846144803919;
    static constexpr double a63 = -11.627539656261098, a64 = -0.18268767659942256;
    static constexpr double a65 = 0.030198172008377946;

    static constexpr double C21 = -14.155112264123755;
    static constexpr double C31 = -17.97296035885952, C32 = -2.859693295451294;
    static constexpr double C41 = 147.12150275711716, C42 = -1.41221402718213;
    static constexpr double C43 = 71.68940251302358;
    static constexpr double C51 = 165.43517024871676, C52 = -0.4592823456491126;
    static constexpr double C53 = 42.90938336958603, C54 = -5.961986721573306;
    static constexpr double C61 = 24.854864614690072, C62 = -3.0009227002832186;
    static constexpr double C63 = 47.4931110020768, C64 = 5.5814197821558125;
    static constexpr double C65 = -0.6610691825249471;
    static constexpr double C71 = 30.91273214028599, C72 = -3.1208243349937974;
    static constexpr double C73 = 77.79954646070892, C74 = 34.28646028294783;
    static constexpr double C75 = -19.097331116725623, C76 = -28.087943162872662;
    static constexpr double C81 = 37.80277123390563, C82 = -3.2571969029072276;
    static constexpr double C83 = 112.26918849496327, C84 = 66.9347231244047;
    static constexpr double C85 = -40.06618937091002, C86 = -54.66780262877968;
    static constexpr double C87 = -9.48861652309627;

    static constexpr double c2 = 0.6358126895828704, c3 = 0.4095798393397535;
    static constexpr double c4 = 0.9769306725060716, c5 = 0.4288403609558664;

    static constexpr double d1 = 0.21193756319429014, d2 = -0.42387512638858027;
    static constexpr double d3 = -0.3384627126235924, d4 = 1.8046452872882734;
    static constexpr double d5 = 2.325825639765069;

    // Dense output: three rows of weights of the stages k1..k8.
    static constexpr std::array<std::array<double, 8>, 3> H = {{
        {25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204,
         0.524948541321073, 1.1241088310450404, 0.4272876194431874, -0.17202221070155493},
        {-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796,
         20.176138334709044, 15.98066361424651, -6.789040303419874, -6.710236069923372},
        {11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643,
         -52.072871366152654, -59.78993625266729, -0.15582684282751913, 4.883087185713722},
    }};
};

// Dense output: fourth order, three coefficient vectors (see rosenbrock.hpp).
class Rodas5P : public RosenbrockBase<3> {
public:
    static constexpr int order = 5;
    static constexpr int error_order = 4;
    static constexpr bool predictive_controller = true;  // Gustafsson, as for RODAS4

    // One step of size dt from (x, t); returns false if the iteration matrix is singular. When
    // retry is true, x and t are those of the previous (rejected) call: the Jacobian is reused.
    bool try_step(const Mn14System& sys, const State& x, double t, double dt, bool retry,
                  State& xout, State& xerr) {
        using C = Rodas5PCoefficients;
        if (!prepare(sys, x, t, dt, retry, C::gamma)) return false;

        const double inv = 1.0 / dt;
        State r, xs, fk;
        auto& [k1, k2, k3, k4, k5, k6, k7, k8] = k_;
        for (std::size_t i = 0; i < n; ++i) r[i] = dxdt_[i] + dt * C::d1 * dfdt_[i];
        lu_.solve(r.data(), k1.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] = x[i] + C::a21 * k1[i];
        sys(xs, fk, t + C::c2 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + dt * C::d2 * dfdt_[i] + inv * (C::C21 * k1[i]);
        lu_.solve(r.data(), k2.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] = x[i] + C::a31 * k1[i] + C::a32 * k2[i];
        sys(xs, fk, t + C::c3 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + dt * C::d3 * dfdt_[i] + inv * (C::C31 * k1[i] + C::C32 * k2[i]);
        lu_.solve(r.data(), k3.data());

        for (std::size_t i = 0; i < n; ++i)
            xs[i] = x[i] + C::a41 * k1[i] + C::a42 * k2[i] + C::a43 * k3[i];
        sys(xs, fk, t + C::c4 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + dt * C::d4 * dfdt_[i] +
                   inv * (C::C41 * k1[i] + C::C42 * k2[i] + C::C43 * k3[i]);
        lu_.solve(r.data(), k4.data());

        for (std::size_t i = 0; i < n; ++i)
            xs[i] = x[i] + C::a51 * k1[i] + C::a52 * k2[i] + C::a53 * k3[i] + C::a54 * k4[i];
        sys(xs, fk, t + C::c5 * dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + dt * C::d5 * dfdt_[i] +
                   inv * (C::C51 * k1[i] + C::C52 * k2[i] + C::C53 * k3[i] + C::C54 * k4[i]);
        lu_.solve(r.data(), k5.data());

        for (std::size_t i = 0; i < n; ++i)
            xs[i] = x[i] + C::a61 * k1[i] + C::a62 * k2[i] + C::a63 * k3[i] + C::a64 * k4[i] +
                    C::a65 * k5[i];
        sys(xs, fk, t + dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + inv * (C::C61 * k1[i] + C::C62 * k2[i] + C::C63 * k3[i] +
                                  C::C64 * k4[i] + C::C65 * k5[i]);
        lu_.solve(r.data(), k6.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] += k6[i];
        sys(xs, fk, t + dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + inv * (C::C71 * k1[i] + C::C72 * k2[i] + C::C73 * k3[i] +
                                  C::C74 * k4[i] + C::C75 * k5[i] + C::C76 * k6[i]);
        lu_.solve(r.data(), k7.data());

        for (std::size_t i = 0; i < n; ++i) xs[i] += k7[i];
        sys(xs, fk, t + dt);
        for (std::size_t i = 0; i < n; ++i)
            r[i] = fk[i] + inv * (C::C81 * k1[i] + C::C82 * k2[i] + C::C83 * k3[i] +
                                  C::C84 * k4[i] + C::C85 * k5[i] + C::C86 * k6[i] +
                                  C::C87 * k7[i]);
        lu_.solve(r.data(), k8.data());

        for (std::size_t i = 0; i < n; ++i) {
            xerr[i] = k8[i];  // the embedded solution is the one before the last stage
            xout[i] = xs[i] + k8[i];
        }
        return true;
    }

    void accept(const Mn14System&) {
        using C = Rodas5PCoefficients;
        for (std::size_t row = 0; row < 3; ++row) {
            State& d = dense_[row];
            const auto& h = C::H[row];
            for (std::size_t i = 0; i < n; ++i) {
                double v = 0.0;
                for (std::size_t s = 0; s < 8; ++s) v += h[s] * k_[s][i];
                d[i] = v;
            }
        }
    }

private:
    std::array<State, 8> k_{};
};

}  // namespace skinremodel::numerics
