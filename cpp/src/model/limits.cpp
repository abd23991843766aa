// Range checks and their messages for the bound tables of model/limits.hpp and
// simulation/limits.hpp.
#include "skinremodel/model/limits.hpp"

#include <cmath>
#include <cstdio>

#include "skinremodel/errors.hpp"

namespace skinremodel {

namespace {

// %g, or a whole number for the ends of an integer bound (as Python's check_int writes them).
std::string number(double x, bool integer = false) {
    char buf[32];
    std::snprintf(buf, sizeof buf, integer && std::isfinite(x) ? "%.0f" : "%g", x);
    return buf;
}

}  // namespace

bool within(const Limit& l, double x) {
    if (!std::isfinite(x)) return false;
    if (l.integer && x != std::floor(x)) return false;
    const bool above_low = l.low_closed ? x >= l.low : x > l.low;
    const bool below_high = l.high_closed ? x <= l.high : x < l.high;
    return above_low && below_high;
}

std::string range_text(const Limit& l) {
    // An infinite end is always open, as Python's check_real writes it.
    std::string out = (l.low_closed && std::isfinite(l.low)) ? "[" : "(";
    out += number(l.low, l.integer) + ", " + number(l.high, l.integer);
    out += (l.high_closed && std::isfinite(l.high)) ? "]" : ")";
    if (!l.unit.empty()) {
        out += ' ';
        out += l.unit;
    }
    return out;
}

void check_limit(const Limit& l, double x, std::string_view field) {
    if (within(l, x)) return;
    std::string message(field.empty() ? l.name : field);
    if (l.integer)
        message += " must be an integer in ";
    else if (!std::isfinite(x))
        message += " must be a finite number in ";
    else
        message += " must be in ";
    message += range_text(l) + ", got " + number(x);
    throw InvalidInput(message);
}

}  // namespace skinremodel
