// The floor of the engine's method on the reference problem: what the accepted and rejected steps
// of one simulation cost if a step were nothing but Rodas5P's own arithmetic as the engine
// implements it today: one analytic Jacobian, one block LU, eight right-hand sides, eight block
// solves and the stage combinations (numerics::Rosenbrock<Mn14System, Rodas5PTableau>::try_step),
// replayed on the engine's own steps.
// Everything else per step (dense-output coefficients, error norm, step-size controller,
// non-negativity check, interpolation at the outputs, threshold events) and per call (session
// set-up, copying the trajectory) is above the floor; callgrind splits it (docs/performance.md).
//
// Build and run (from the repository root):
//   cmake -S . -B build/bench -G Ninja -DSKINREMODEL_BUILD_BENCHMARKS=ON
//   -DSKINREMODEL_BUILD_TESTS=OFF cmake --build build/bench &&
//   build/bench/benchmarks/cpp/bench_floor [rounds]
// Rounds alternate the whole simulation and the kernels, so a busy moment of a shared machine
// hits both; the medians are printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "reference_problem.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/numerics/rosenbrock.hpp"
#include "skinremodel/simulation/simulate.hpp"

using namespace skinremodel;
using Clock = std::chrono::steady_clock;

namespace {

using bench::reference_request;

template <class F>
double ns_per_call(F&& f, int calls) {
    const auto t0 = Clock::now();
    for (int i = 0; i < calls; ++i) f();
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / calls;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
    const SimulationRequest req = reference_request();
    const Trajectory tr = simulate(req);
    const std::size_t steps = tr.stats.steps, rejected = tr.stats.rejected_steps;

    const Params p = apply_covariates(req.params, req.patient);
    const Mn14System sys(p);
    // The accepted steps of the simulation, recorded by an observer and replayed: the same
    // states, times and step sizes as the engine's (rejected steps are counted at the same cost).
    struct Recorder : IntegrationObserver {
        std::vector<State> x;
        std::vector<double> t, dt;
        void jump(std::size_t, double, const State&, const State&) override {}
        void step(double t_old, const State& y_old, double t_new, const State&,
                  const DenseState&) override {
            x.push_back(y_old);
            t.push_back(t_old);
            dt.push_back(t_new - t_old);
        }
        void output(std::size_t, double, const State&) override {}
    } rec;
    simulate(req, rec);
    const std::vector<State>& xs = rec.x;
    numerics::Rosenbrock<Mn14System, numerics::Rodas5PTableau> st;
    State xo{}, xe{}, f{};
    Jacobian J;
    State dfdt{};
    volatile double sink = 0.0;
    std::size_t k = 0;
    const int calls = static_cast<int>(xs.size());

    std::vector<double> engine, step, rhs, jac;
    for (int r = 0; r < rounds; ++r) {
        const auto t0 = Clock::now();
        const Trajectory t2 = simulate(req);
        engine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        sink = sink + t2.y.back();
        step.push_back(ns_per_call(
            [&] {
                const std::size_t j = k++ % xs.size();
                st.try_step(sys, xs[j], rec.t[j], rec.dt[j], false, xo, xe);
                sink = sink + xo[0];
            },
            calls));
        rhs.push_back(ns_per_call(
            [&] {
                sys(xs[k++ % xs.size()], f, 10.0);
                sink = sink + f[0];
            },
            calls));
        jac.push_back(ns_per_call(
            [&] {
                sys.jacobian(xs[k++ % xs.size()], 10.0, J, dfdt);
                sink = sink + J(0, 0);
            },
            calls));
    }
    const double e = median(engine), s = median(step) / 1e3;
    const double fr = median(rhs) / 1e3, fj = median(jac) / 1e3;
    const double floor = static_cast<double>(steps + rejected) * s;
    std::printf("engine simulate(): median %.1f us over %d rounds; %zu steps + %zu rejected\n", e,
                rounds, steps, rejected);
    std::printf(
        "one Rodas5P step (try_step): %.3f us = Jacobian %.3f + 8 RHS x %.3f + LU, 8 "
        "solves and stage combinations %.3f\n",
        s, fj, fr, s - fj - 8 * fr);
    std::printf(
        "floor = steps x step = %.1f us; engine / floor = %.2f "
        "(%.1f us above it)\n",
        floor, e / floor, e - floor);
    return sink == 12345.0 ? 1 : 0;
}
