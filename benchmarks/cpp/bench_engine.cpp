// Times the C++ engine alone on the reference problem of the benchmarks: 6 sessions every 28 days
// at 1.5 mm, 365 days, daily output, the three thresholds skinremodel.simulate locates. One
// simulation is timed by the thread's CPU time (other work on a shared machine counts less than
// with wall time) and by wall time.
//
// Build and run (from the repository root):
//   cmake -S . -B build/bench -G Ninja -DSKINREMODEL_BUILD_BENCHMARKS=ON
//   -DSKINREMODEL_BUILD_TESTS=OFF cmake --build build/bench &&
//   build/bench/benchmarks/cpp/bench_engine [repeats] [batch items]
//     [method: rodas5p (default), rodas4 or dopri5]
// Deterministic instruction counts (what the optimisation commits quote):
//   valgrind --tool=callgrind build/bench/benchmarks/cpp/bench_engine 20 0
// The second part times simulate_batch on the same problem as 400 items (0 skips it) for 1 and 2
// threads.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "reference_problem.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/simulation/batch.hpp"
#include "skinremodel/simulation/simulate.hpp"

using namespace skinremodel;

namespace {

using bench::reference_request;

}  // namespace

int main(int argc, char** argv) {
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 2000;
    SimulationRequest req = reference_request();
    if (argc > 3) req.options.method = method_from_name(argv[3]);
    std::vector<double> ms, cpu;
    Trajectory tr;
    for (int r = 0; r < repeats; ++r) {
        const double c0 = 1e-3 * bench::cpu_us();
        const auto t0 = std::chrono::steady_clock::now();
        tr = simulate(req);
        const auto t1 = std::chrono::steady_clock::now();
        cpu.push_back(1e-3 * bench::cpu_us() - c0);
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf(
        "one simulation: CPU median %.4f ms (quartiles %.4f-%.4f); wall median %.4f ms, min %.4f "
        "ms over %d runs\n",
        cpu[cpu.size() / 2], cpu[cpu.size() / 4], cpu[3 * cpu.size() / 4], ms[ms.size() / 2],
        ms.front(), repeats);
    std::printf(
        "steps %zu, rejected %zu, RHS %zu, crossings %zu, total collagen day 365 %.15g\n",
        tr.stats.steps, tr.stats.rejected_steps, tr.stats.rhs_evaluations, tr.crossings.size(),
        tr.y[365 * kNumStates + iC3] + tr.y[365 * kNumStates + iC1] + tr.y[365 * kNumStates + iCm]);

    // The batch engine: the same request as many items, on 1 and 2 threads, alternating.
    const std::size_t items = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 400;
    if (items == 0) return 0;
    BatchRequest batch;
    batch.params = {req.params};
    batch.patients = {req.patient};
    batch.plans = {req.sessions};
    batch.items.assign(items, BatchItem{});
    batch.t_out = {365.0};
    std::vector<double> one_thread, two_threads;
    for (int r = 0; r < 5; ++r)
        for (std::size_t threads : {1u, 2u}) {
            const auto t0 = std::chrono::steady_clock::now();
            const BatchResult b = simulate_batch(batch, threads);
            const auto t1 = std::chrono::steady_clock::now();
            (threads == 1 ? one_thread : two_threads)
                .push_back(std::chrono::duration<double, std::milli>(t1 - t0).count() / items);
        }
    std::sort(one_thread.begin(), one_thread.end());
    std::sort(two_threads.begin(), two_threads.end());
    std::printf(
        "batch of %zu: %.4f ms per item on 1 thread, %.4f on 2 threads (medians of 5): "
        "speed-up %.2f\n",
        items, one_thread[2], two_threads[2], one_thread[2] / two_threads[2]);
    return 0;
}
