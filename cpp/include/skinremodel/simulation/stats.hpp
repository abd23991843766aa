// Counters of one simulation.
#pragma once

#include <cstddef>

namespace skinremodel {

struct SolverStats {
    std::size_t steps = 0;  // accepted steps
    std::size_t rejected_steps = 0;
    std::size_t rhs_evaluations = 0;
    std::size_t jacobian_evaluations = 0;
    std::size_t lu_decompositions = 0;
    std::size_t clipped_steps = 0;  // steps after which a slightly negative state was set to 0
};

}  // namespace skinremodel
