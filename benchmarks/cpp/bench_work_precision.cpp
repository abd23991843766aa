// Work-precision of the engine's methods on the reference problem of the C++ timing programs:
// the largest error over all output days and states, each state's error divided by its peak,
// against Rodas5P at rtol 1e-11 (atol 1e-14), and the CPU time of one simulation (median of
// interleaved rounds, each the mean of a batch of calls), for rtol 1e-2 .. 1e-6.
//
//   build/bench/benchmarks/cpp/bench_work_precision [peak] [rounds]
// "peak" sets atol_i = rtol x peak_i (as benchmarks/peers.py does for every peer); without it each
// run has the package's default per-state atol. docs/solvers.md quotes a run.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "reference_problem.hpp"
#include "skinremodel/simulation/simulate.hpp"

using namespace skinremodel;

int main(int argc, char** argv) {
    const bool peak_atol = argc > 1 && std::string(argv[1]) == "peak";
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
    const int calls = 40;
    SimulationRequest reference = bench::reference_request();
    reference.options.rtol = 1e-11;
    reference.options.atol.fill(1e-14);
    const Trajectory ref = simulate(reference);
    const std::size_t days = ref.t.size();
    State peak{};
    for (std::size_t d = 0; d < days; ++d)
        for (std::size_t i = 0; i < kNumStates; ++i)
            peak[i] = std::max(peak[i], std::abs(ref.y[d * kNumStates + i]));

    const std::vector<Method> methods = {Method::rodas5p, Method::rodas4};
    const std::vector<double> rtols = {1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 1e-6};
    struct Cell {
        std::vector<double> us;
        double error = 0.0;
        std::size_t steps = 0, rhs = 0;
    };
    std::vector<Cell> cells(methods.size() * rtols.size());
    for (int r = 0; r < rounds; ++r)
        for (std::size_t m = 0; m < methods.size(); ++m)
            for (std::size_t k = 0; k < rtols.size(); ++k) {
                SimulationRequest req = bench::reference_request();
                req.options.method = methods[m];
                req.options.rtol = rtols[k];
                if (peak_atol)
                    for (std::size_t i = 0; i < kNumStates; ++i)
                        req.options.atol[i] = rtols[k] * peak[i];
                Cell& c = cells[m * rtols.size() + k];
                Trajectory tr;
                const double t0 = bench::cpu_us();
                for (int q = 0; q < calls; ++q) tr = simulate(req);
                c.us.push_back((bench::cpu_us() - t0) / calls);
                if (r > 0) continue;
                for (std::size_t d = 0; d < days; ++d)
                    for (std::size_t i = 0; i < kNumStates; ++i)
                        c.error = std::max(c.error, std::abs(tr.y[d * kNumStates + i] -
                                                             ref.y[d * kNumStates + i]) /
                                                        peak[i]);
                c.steps = tr.stats.steps + tr.stats.rejected_steps;
                c.rhs = tr.stats.rhs_evaluations;
            }
    std::printf("atol: %s; CPU time per simulation, median of %d rounds (range)\n",
                peak_atol ? "rtol x peak of each state" : "default per state", rounds);
    std::printf("| method | rtol | error | us | steps | RHS |\n|---|---|---|---|---|---|\n");
    for (std::size_t m = 0; m < methods.size(); ++m)
        for (std::size_t k = 0; k < rtols.size(); ++k) {
            Cell& c = cells[m * rtols.size() + k];
            std::sort(c.us.begin(), c.us.end());
            std::printf("| %s | %.0e | %.1e | %.0f (%.0f-%.0f) | %zu | %zu |\n",
                        std::string(method_name(methods[m])).c_str(), rtols[k], c.error,
                        c.us[c.us.size() / 2], c.us.front(), c.us.back(), c.steps, c.rhs);
        }
    return 0;
}
