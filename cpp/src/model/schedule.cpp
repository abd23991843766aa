#include "skinremodel/model/schedule.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "skinremodel/errors.hpp"
#include "skinremodel/model/limits.hpp"

namespace skinremodel {

namespace {

std::string describe(std::size_t k, const Session& s) {
    std::ostringstream o;
    o << "sessions[" << k << "] (day " << s.time << ")";
    return o.str();
}

double diameter_of(const Session& s, const Params& p) {
    return std::isnan(s.needle_diameter_mm) ? p[p_w] : s.needle_diameter_mm;
}

}  // namespace

Dose<double> session_dose(const Session& s, const Params& p) {
    return session_dose<double>(s.depth_mm, s.density_per_cm2, diameter_of(s, p), s.dose_scale, p);
}

// The checks run on every simulation, so the name of a session is formatted only when one fails.
void check_sessions(const std::vector<Session>& sessions, const Params& p) {
    for (std::size_t k = 0; k < sessions.size(); ++k) {
        const Session& s = sessions[k];
        const auto check = [&](const Limit& limit, double x, const char* field) {
            check_limit(limit, x, [&] { return describe(k, s) + ": " + field; });
        };
        check(model_limit(limit_day), s.time, "day");
        if (k > 0 && !(s.time > sessions[k - 1].time))
            throw InvalidInput(describe(k, s) +
                               ": sessions must be on distinct days in increasing order");
        check(model_limit(limit_depth_mm), s.depth_mm, "depth_mm");
        check(model_limit(limit_density_per_cm2), s.density_per_cm2, "density_per_cm2");
        check(model_limit(limit_needle_diameter_mm), diameter_of(s, p), "needle_diameter_mm");
        check(model_limit(limit_dose_scale), s.dose_scale, "dose_scale");
    }
}

}  // namespace skinremodel
