// Formatting shared by the messages of the simulation layer (private to cpp/src).
#pragma once

#include <sstream>
#include <string>

namespace skinremodel::detail {

// A time in days with 10 significant digits, as error messages quote it.
inline std::string format_time(double t) {
    std::ostringstream s;
    s.precision(10);
    s << t;
    return s.str();
}

}  // namespace skinremodel::detail
