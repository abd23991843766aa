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
// Rounds alternate the whole simulation and the replayed steps, so a busy moment of a shared
// machine hits both; times are the thread's CPU time, and the medians and the spread (lowest and
// highest quartile) over the rounds are printed.
// The same ratio by instruction count (deterministic): one engine call and one replay of its steps
// are the functions engine_call and replay_steps, so
//   valgrind --tool=callgrind build/bench/benchmarks/cpp/bench_floor 5
//   callgrind_annotate --inclusive=yes callgrind.out.<pid> | grep -E 'engine_call|replay_steps'
// gives both (divide by the rounds; benchmarks/cpp/callgrind_floor.sh does it).
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

namespace {

using bench::reference_request;

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

// The accepted steps of a simulation, recorded by an observer to be replayed: the same states,
// times and step sizes as the engine's.
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
};

using Stepper = numerics::Rosenbrock<Mn14System, numerics::Rodas5PTableau>;

SKINREMODEL_NOINLINE double engine_call(const SimulationRequest& req) {
    return simulate(req).y.back();
}

// Every recorded step once through try_step (rejected steps, if any, are counted at the same cost
// by the caller).
SKINREMODEL_NOINLINE double replay_steps(Stepper& st, const Mn14System& sys, const Recorder& rec) {
    State xo{}, xe{};
    double sink = 0.0;
    for (std::size_t j = 0; j < rec.x.size(); ++j) {
        st.try_step(sys, rec.x[j], rec.t[j], rec.dt[j], false, xo, xe);
        sink += xo[0];
    }
    return sink;
}

SKINREMODEL_NOINLINE double rhs_calls(const Mn14System& sys, const Recorder& rec) {
    State f{};
    double sink = 0.0;
    for (std::size_t j = 0; j < rec.x.size(); ++j) {
        sys(rec.x[j], f, rec.t[j]);
        sink += f[0];
    }
    return sink;
}

SKINREMODEL_NOINLINE double jacobian_calls(const Mn14System& sys, const Recorder& rec) {
    Jacobian J;
    State dfdt{};
    double sink = 0.0;
    for (std::size_t j = 0; j < rec.x.size(); ++j) {
        sys.jacobian(rec.x[j], rec.t[j], J, dfdt);
        sink += J(0, 0);
    }
    return sink;
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
    const SimulationRequest req = reference_request();
    const Trajectory tr = simulate(req);
    const std::size_t steps = tr.stats.steps, rejected = tr.stats.rejected_steps;

    const Params p = apply_covariates(req.params, req.patient);
    const Mn14System sys(p);
    Recorder rec;
    simulate(req, rec);
    Stepper st;
    volatile double sink = 0.0;
    const double n = static_cast<double>(rec.x.size());

    std::vector<double> engine, step, rhs, jac;
    for (int r = 0; r < rounds; ++r) {
        double t0 = bench::cpu_us();
        sink = sink + engine_call(req);
        engine.push_back(bench::cpu_us() - t0);
        t0 = bench::cpu_us();
        sink = sink + replay_steps(st, sys, rec);
        step.push_back((bench::cpu_us() - t0) / n);
        t0 = bench::cpu_us();
        sink = sink + rhs_calls(sys, rec);
        rhs.push_back((bench::cpu_us() - t0) / n);
        t0 = bench::cpu_us();
        sink = sink + jacobian_calls(sys, rec);
        jac.push_back((bench::cpu_us() - t0) / n);
    }
    const double e = quantile(engine, 0.5), s = quantile(step, 0.5);
    const double fr = quantile(rhs, 0.5), fj = quantile(jac, 0.5);
    const double floor = static_cast<double>(steps + rejected) * s;
    std::printf(
        "engine simulate(): median %.1f us (quartiles %.1f-%.1f) CPU over %d rounds; %zu steps + "
        "%zu rejected\n",
        e, quantile(engine, 0.25), quantile(engine, 0.75), rounds, steps, rejected);
    std::printf(
        "one Rodas5P step (try_step): %.3f us (quartiles %.3f-%.3f) = Jacobian %.3f + 8 RHS x "
        "%.3f + LU, 8 solves and stage combinations %.3f\n",
        s, quantile(step, 0.25), quantile(step, 0.75), fj, fr, s - fj - 8 * fr);
    std::printf("floor = steps x step = %.1f us; engine / floor = %.3f (%.1f us above it)\n", floor,
                e / floor, e - floor);
    return sink == 12345.0 ? 1 : 0;
}
