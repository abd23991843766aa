#include "skinremodel/simulation/batch.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <system_error>
#include <thread>

#include "skinremodel/errors.hpp"

namespace skinremodel {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string item_field(std::size_t i, const char* field) {
    return "items[" + std::to_string(i) + "]." + field;
}

void check_index(std::size_t i, const char* field, std::size_t index, std::size_t size) {
    if (index >= size)
        throw InvalidInput(item_field(i, field) + "=" + std::to_string(index) +
                           " is out of range: the table has " + std::to_string(size) + " entries");
}

void check_request(const BatchRequest& r, double t_end) {
    check_horizon(t_end);
    check_options(r.options);
    check_output_times(r.t_out, t_end);
    for (std::size_t i = 0; i < r.items.size(); ++i) {
        const BatchItem& it = r.items[i];
        check_index(i, "params", it.params, r.params.size());
        check_index(i, "patient", it.patient, r.patients.size());
        check_index(i, "plan", it.plan, r.plans.size());
    }
}

// Sessions a plan puts within the horizon (a plan is sorted when it is valid; an unsorted plan
// fails its items in simulate(), and counting all its sessions keeps the bound safe).
std::size_t sessions_within(const std::vector<Session>& plan, double t_end) {
    return static_cast<std::size_t>(std::count_if(
        plan.begin(), plan.end(), [t_end](const Session& s) { return s.time <= t_end; }));
}

class BatchRunner {
public:
    BatchRunner(const BatchRequest& request, double t_end, BatchResult& out)
        : req_(request), t_end_(t_end), out_(out) {}

    // Simulates item i into its slots; never throws (a failure is recorded for the item).
    void run(std::size_t i) noexcept {
        try {
            const BatchItem& it = req_.items[i];
            SimulationRequest sim;
            sim.params = req_.params[it.params];
            sim.patient = req_.patients[it.patient];
            sim.sessions = req_.plans[it.plan];
            sim.t_out = req_.t_out;
            sim.t_end = t_end_;
            sim.options = req_.options;
            const Trajectory tr = simulate(sim);
            store(i, tr);
        } catch (const InvalidInput& e) {
            fail(i, ItemStatus::invalid_input, e.what());
        } catch (const SolverError& e) {
            fail(i, ItemStatus::solver_error, e.what());
        } catch (const std::exception& e) {
            fail(i, ItemStatus::other_error, e.what());
        } catch (...) {
            fail(i, ItemStatus::other_error, "unknown error");
        }
    }

private:
    void store(std::size_t i, const Trajectory& tr) {
        const std::size_t n_x = kNumStates, n_s = out_.max_sessions, n_e = out_.n_events;
        const std::size_t n = tr.session_times.size();
        std::copy(tr.y.begin(), tr.y.end(), out_.states.begin() + i * out_.n_times * n_x);
        std::copy(tr.session_times.begin(), tr.session_times.end(),
                  out_.session_times.begin() + i * n_s);
        std::copy(tr.post_session.begin(), tr.post_session.end(),
                  out_.post_session.begin() + i * n_s * n_x);
        for (std::size_t e = 0; e < n_e; ++e)
            std::copy_n(tr.time_above.begin() + e * n, n,
                        out_.time_above.begin() + (i * n_e + e) * n_s);
        std::copy(tr.first_upward.begin(), tr.first_upward.end(),
                  out_.first_upward.begin() + i * n_e);
        std::copy(tr.effective.begin(), tr.effective.end(),
                  out_.effective.begin() + i * kNumParams);
        std::copy(tr.baseline.begin(), tr.baseline.end(), out_.baseline.begin() + i * n_x);
        out_.sessions[i] = n;
        out_.stats[i] = tr.stats;
    }

    void fail(std::size_t i, ItemStatus status, const char* message) noexcept {
        out_.status[i] = status;
        try {
            out_.error[i] = message;
        } catch (...) {  // no memory for the message: the status still says it failed
        }
    }

    const BatchRequest& req_;
    double t_end_;
    BatchResult& out_;
};

}  // namespace

BatchResult simulate_batch(const BatchRequest& request, std::size_t threads) {
    const double t_end = horizon_of(request.t_out, request.t_end);
    check_request(request, t_end);

    BatchResult out;
    const std::size_t n = request.items.size();
    out.n_items = n;
    out.n_times = request.t_out.size();
    for (const auto& plan : request.plans)
        out.max_sessions = std::max(out.max_sessions, sessions_within(plan, t_end));
    out.states.assign(n * out.n_times * kNumStates, kNaN);
    out.session_times.assign(n * out.max_sessions, kNaN);
    out.post_session.assign(n * out.max_sessions * kNumStates, kNaN);
    out.sessions.assign(n, 0);
    out.time_above.assign(n * out.n_events * out.max_sessions, kNaN);
    out.first_upward.assign(n * out.n_events, kNaN);
    out.effective.assign(n * kNumParams, kNaN);
    out.baseline.assign(n * kNumStates, kNaN);
    out.stats.assign(n, SolverStats{});
    out.status.assign(n, ItemStatus::ok);
    out.error.assign(n, std::string());

    BatchRunner runner(request, t_end, out);
    // Items are handed out one at a time (their costs differ); each writes only its own slots.
    std::atomic<std::size_t> next{0};
    auto work = [&runner, &next, n] {
        for (std::size_t i = next.fetch_add(1, std::memory_order_relaxed); i < n;
             i = next.fetch_add(1, std::memory_order_relaxed))
            runner.run(i);
    };
    std::size_t n_threads = threads > 0 ? threads : std::thread::hardware_concurrency();
    n_threads = std::max<std::size_t>(1, std::min(n_threads, n));
    std::vector<std::thread> pool;
    for (std::size_t k = 1; k < n_threads; ++k) {
        try {
            pool.emplace_back(work);
        } catch (const std::system_error&) {
            break;  // the system refused another thread: run with those there are
        }
    }
    work();  // the calling thread is one of the workers
    for (std::thread& t : pool) t.join();
    return out;
}

}  // namespace skinremodel
