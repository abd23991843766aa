// The bounds the core checks, as one table each for the model's inputs (this header) and the
// integrator's (simulation/options.hpp): name, ends, whether each end is included, unit, meaning.
// The checks and their messages come from these tables; skinremodel._core.limits() exports them,
// so the Python layer checks the same numbers and docs/limits.md lists them (a test compares).
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace skinremodel {

// One bound: value in (low, high), each end included if *_closed; integer values if integer.
struct Limit {
    std::string_view name;  // the field as the Python API spells it
    double low = 0.0;
    double high = 0.0;
    bool low_closed = true;
    bool high_closed = true;
    bool integer = false;
    std::string_view unit;  // "" for dimensionless
    std::string_view description;
};

inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// True if x is finite, within the ends and (for an integer bound) a whole number.
bool within(const Limit& limit, double x);

// "[18, 100] years", "(0, 5] mm", "[1, 6]" (numbers as %g).
std::string range_text(const Limit& limit);

// Throws InvalidInput "<field> must be in [18, 100] years, got 17" ("must be an integer in" for
// integer bounds; "a finite number in" for NaN or inf); field defaults to the limit's name.
void check_limit(const Limit& limit, double x, std::string_view field = {});

// The same, with the field's name made by name() only if the check fails: names with an index or
// a prefix cost a string each, and these checks run on every simulation.
template <class Name, class = std::enable_if_t<std::is_invocable_r_v<std::string, Name&>>>
void check_limit(const Limit& limit, double x, Name&& name) {
    if (!within(limit, x)) check_limit(limit, x, std::string_view(name()));
}

// The model's inputs: the patient's numeric covariates and the settings of a session.
enum ModelLimit : std::size_t {
    limit_age,
    limit_phototype,
    limit_day,
    limit_depth_mm,
    limit_density_per_cm2,
    limit_needle_diameter_mm,
    limit_dose_scale,
    kNumModelLimits
};

inline constexpr std::array<Limit, kNumModelLimits> kModelLimits = {{
    {"age", 18.0, 100.0, true, true, false, "years", "patient age (the covariate rules' range)"},
    {"phototype", 1.0, 6.0, true, true, true, "", "Fitzpatrick skin type I-VI as 1-6"},
    {"day", 0.0, 1e6, true, true, false, "days",
     "day of a session, counted from day 0 (about 2,700 years)"},
    {"depth_mm", 0.0, 5.0, false, true, false, "mm",
     "nominal needle length: the dose model's physical limit (plans keep to the clinical "
     "range unless allow_any_depth)"},
    {"density_per_cm2", 0.0, 1e4, false, true, false, "punctures/cm2",
     "puncture density of a session or device"},
    {"needle_diameter_mm", 0.0, 1.0, false, true, false, "mm", "needle diameter"},
    {"dose_scale", 0.0, 10.0, true, true, false, "",
     "multiplier of a session's dose (technique, skin)"},
}};

inline const Limit& model_limit(ModelLimit which) {
    return kModelLimits[which];
}

}  // namespace skinremodel
