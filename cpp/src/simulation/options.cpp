// Method names, solver options and the checks of output times.
#include "skinremodel/simulation/options.hpp"

#include <cmath>
#include <string>

#include "format.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/simulation/method.hpp"

namespace skinremodel {

using detail::format_time;

Method method_from_name(std::string_view name) {
    if (name == "rodas5p") return Method::rodas5p;
    if (name == "rodas4") return Method::rodas4;
    if (name == "dopri5") return Method::dopri5;
    throw InvalidInput("method must be 'rodas5p', 'rodas4' or 'dopri5', got '" + std::string(name) +
                       "'");
}

std::string_view method_name(Method method) {
    switch (method) {
        case Method::rodas5p:
            return "rodas5p";
        case Method::rodas4:
            return "rodas4";
        case Method::dopri5:
            return "dopri5";
    }
    return "unknown";
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
    if (!(std::isfinite(o.rtol) && o.rtol >= 1e-14 && o.rtol <= 0.1))
        throw InvalidInput("rtol must be in [1e-14, 0.1], got " + std::to_string(o.rtol));
    for (std::size_t i = 0; i < kNumStates; ++i)
        if (!(std::isfinite(o.atol[i]) && o.atol[i] > 0.0 && o.atol[i] <= 1.0))
            throw InvalidInput("atol of state " + std::string(kStateNames[i]) +
                               " must be in (0, 1], got " + std::to_string(o.atol[i]));
    if (o.max_steps < 1) throw InvalidInput("max_steps must be >= 1");
    if (!(std::isfinite(o.initial_step) && o.initial_step >= 0.0))
        throw InvalidInput("initial_step must be finite and >= 0 (0 = automatic)");
    if (!(std::isfinite(o.max_step) && o.max_step >= 0.0))
        throw InvalidInput("max_step must be finite and >= 0 (0 = no limit)");
}

void check_output_times(const std::vector<double>& t_out, double t_end) {
    if (t_out.empty()) throw InvalidInput("t_eval must contain at least one time");
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
