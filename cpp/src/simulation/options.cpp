// Method names, solver options and the checks of output times.
#include "skinremodel/simulation/options.hpp"

#include <cmath>
#include <string>

#include "format.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/simulation/limits.hpp"
#include "skinremodel/simulation/method.hpp"

namespace skinremodel {

using detail::format_time;

Method method_from_name(std::string_view name) {
    std::string choices;
    for (std::size_t i = 0; i < kMethodNames.size(); ++i) {
        if (name == kMethodNames[i]) return static_cast<Method>(i);
        choices += (i == 0 ? "'" : i + 1 == kMethodNames.size() ? " or '" : ", '");
        choices += std::string(kMethodNames[i]) + "'";
    }
    throw InvalidInput("method must be " + choices + ", got '" + std::string(name) + "'");
}

std::string_view method_name(Method method) {
    const auto i = static_cast<std::size_t>(method);
    return i < kMethodNames.size() ? kMethodNames[i] : "unknown";
}

State SolverOptions::default_atol() {
    // Matrix pools and cell densities (values near 1): 1e-9, soluble tropoelastin (about 5e-4):
    // 1e-10 (design 2.9). Inflammation, growth factor and redness peak at 0.3-2 after a session
    // and then decay for weeks; following their tails below 1e-6 of a peak costs 40% more steps
    // and changes no output (collagen moves by < 1e-7; see docs/solvers.md).
    State atol;
    atol.fill(1e-9);
    atol[iEt] = 1e-10;
    for (std::size_t i : {iD, iN, iM1, iM2, iT, iR}) atol[i] = 1e-6;
    return atol;
}

void check_options(const SolverOptions& o) {
    check_limit(solver_limit(limit_rtol), o.rtol);
    for (std::size_t i = 0; i < kNumStates; ++i)
        check_limit(solver_limit(limit_atol), o.atol[i],
                    [i] { return "atol of state " + std::string(kStateNames[i]); });
    check_limit(solver_limit(limit_max_steps), static_cast<double>(o.max_steps));
    check_limit(solver_limit(limit_initial_step), o.initial_step, "initial_step (0 = automatic)");
    check_limit(solver_limit(limit_max_step), o.max_step, "max_step (0 = no limit)");
}

void check_horizon(double t_end) {
    check_limit(solver_limit(limit_horizon), t_end, "the horizon");
}

void check_output_times(const std::vector<double>& t_out, double t_end) {
    if (t_out.empty()) throw InvalidInput("t_eval must contain at least one time");
    // Two comparisons per time settle the common case (NaN fails them too); the loop below, which
    // finds the first bad time to name it, runs only when one fails.
    double previous = 0.0;
    bool ok = true;
    for (const double t : t_out) {
        if (!(t >= previous && t <= t_end)) {
            ok = false;
            break;
        }
        previous = t;
    }
    if (ok) return;
    for (std::size_t i = 0; i < t_out.size(); ++i) {
        if (!std::isfinite(t_out[i]) || t_out[i] < 0.0)
            throw InvalidInput("t_eval[" + std::to_string(i) + "] must be finite and >= 0, got " +
                               format_time(t_out[i]));
        if (i > 0 && t_out[i] < t_out[i - 1])
            throw InvalidInput("t_eval must be sorted in increasing order (t_eval[" +
                               std::to_string(i) + "] < t_eval[" + std::to_string(i - 1) + "])");
        if (t_out[i] > t_end)
            throw InvalidInput("t_eval[" + std::to_string(i) + "]=" + format_time(t_out[i]) +
                               " lies beyond the horizon " + format_time(t_end));
    }
}

}  // namespace skinremodel
