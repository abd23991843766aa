// The integration methods a simulation can use, and their names as the Python layer spells them.
#pragma once

#include <array>
#include <string_view>

namespace skinremodel {

enum class Method {
    rodas5p,  // L-stable, stiffly accurate Rosenbrock 5(4), 8 stages (Steinebach 2023); default
    rodas4,   // L-stable, stiffly accurate Rosenbrock 4(3) (Hairer-Wanner RODAS coefficients)
    dopri5,   // explicit Dormand-Prince 5(4) from Boost.Odeint
};

// The names, in the order of the enum (skinremodel._core.method_names()).
inline constexpr std::array<std::string_view, 3> kMethodNames = {"rodas5p", "rodas4", "dopri5"};

// "rodas5p", "rodas4" or "dopri5"; throws InvalidInput
Method method_from_name(std::string_view name);
std::string_view method_name(Method method);

}  // namespace skinremodel
