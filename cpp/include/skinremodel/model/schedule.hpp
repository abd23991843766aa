// Sessions: when the skin is needled and with what geometry.
#pragma once

#include <limits>
#include <vector>

#include "skinremodel/model/equations.hpp"
#include "skinremodel/model/parameters.hpp"

namespace skinremodel {

struct Session {
    double time = 0.0;               // day of the session, >= 0
    double depth_mm = 1.5;           // nominal needle length
    double density_per_cm2 = 250.0;  // punctures per cm^2
    double needle_diameter_mm = std::numeric_limits<double>::quiet_NaN();  // NaN: parameter w
    double dose_scale = 1.0;  // technique / skin multiplier of the dose
};

// Sessions must be strictly increasing in time, with day, depth, density, diameter and dose scale
// within model/limits.hpp (the depth's bound is the dose model's physical limit; the Python layer
// applies the clinical range on top). Throws InvalidInput naming the session.
void check_sessions(const std::vector<Session>& sessions, const Params& effective);

// Dose of one session with the effective parameters of the patient.
Dose<double> session_dose(const Session& session, const Params& effective);

}  // namespace skinremodel
