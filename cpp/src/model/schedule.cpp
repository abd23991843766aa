#include "skinremodel/model/schedule.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "skinremodel/errors.hpp"

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
        const auto who = [&] { return describe(k, s); };
        if (!(std::isfinite(s.time) && s.time >= 0.0))
            throw InvalidInput(who() + ": day must be finite and >= 0");
        if (k > 0 && !(s.time > sessions[k - 1].time))
            throw InvalidInput(who() + ": sessions must be on distinct days in increasing order");
        if (!(std::isfinite(s.depth_mm) && s.depth_mm > 0.0 && s.depth_mm <= kMaxDepthMm))
            throw InvalidInput(who() + ": depth_mm must be in (0, 5] mm, got " +
                               std::to_string(s.depth_mm));
        if (!(std::isfinite(s.density_per_cm2) && s.density_per_cm2 > 0.0 &&
              s.density_per_cm2 <= 1e4))
            throw InvalidInput(who() + ": density_per_cm2 must be in (0, 10000], got " +
                               std::to_string(s.density_per_cm2));
        const double w = diameter_of(s, p);
        if (!(std::isfinite(w) && w > 0.0 && w <= 1.0))
            throw InvalidInput(who() + ": needle_diameter_mm must be in (0, 1] mm, got " +
                               std::to_string(w));
        if (!(std::isfinite(s.dose_scale) && s.dose_scale >= 0.0 && s.dose_scale <= 10.0))
            throw InvalidInput(who() + ": dose_scale must be in [0, 10], got " +
                               std::to_string(s.dose_scale));
    }
}

}  // namespace skinremodel
