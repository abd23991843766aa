#include "skinremodel/model/parameters.hpp"

#include <cmath>
#include <string>

#include "skinremodel/errors.hpp"

namespace skinremodel {

namespace {

struct NamedValue {
    const char* name;
    double value;
};

// Generated at configure time from python/skinremodel/data/parameters.csv.
constexpr NamedValue kCsvDefaults[] = {
#include "skinremodel_default_parameters.inc"
};

Params build_defaults() {
    Params p;
    for (std::size_t i = 0; i < kNumParams; ++i) {
        bool found = false;
        for (const auto& row : kCsvDefaults)
            if (kParamNames[i] == row.name) {
                p[i] = row.value;
                found = true;
            }
        if (!found)
            throw InvalidInput("parameters.csv has no row for parameter '" +
                               std::string(kParamNames[i]) + "'");
    }
    return p;
}

}  // namespace

const Params& default_parameters() {
    static const Params defaults = build_defaults();
    return defaults;
}

std::size_t parameter_index(std::string_view name) {
    for (std::size_t i = 0; i < kNumParams; ++i)
        if (kParamNames[i] == name) return i;
    throw InvalidInput("unknown parameter '" + std::string(name) + "'");
}

void check_parameters(const Params& p) {
    for (std::size_t i = 0; i < kNumParams; ++i)
        if (!(std::isfinite(p[i]) && p[i] >= 0.0))
            throw InvalidInput("parameter " + std::string(kParamNames[i]) +
                               " must be finite and >= 0, got " + std::to_string(p[i]));
}

}  // namespace skinremodel
