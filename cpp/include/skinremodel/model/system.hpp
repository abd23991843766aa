// The MN-14 system as the integrators see it: effective parameters, derived constants, the
// right-hand side, its analytic Jacobian, and evaluation counters.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "skinremodel/model/equations.hpp"
#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/state.hpp"
#include "skinremodel/numerics/block_lu.hpp"

namespace skinremodel {

using Jacobian = Eigen::Matrix<double, kNumStates, kNumStates, Eigen::RowMajor>;

// Sparsity of the Jacobian: the columns that may be non-zero in each row (design section 2.4).
// It is block lower-triangular in the state order: inflammation (D, N, M1, M2) drives growth
// factor and fibroblasts (T, F, Mf), which drive MMP (P), collagen (C3, C1, Cm) and elastin
// (Et, E), while redness (R) feeds nothing back. The Rosenbrock solver factorises by these
// blocks; Catch2 tests fail if a model change puts a non-zero outside the pattern.
namespace detail {
constexpr std::uint32_t columns(std::initializer_list<std::size_t> cols) {
    std::uint32_t mask = 0;
    for (std::size_t c : cols) mask |= 1u << c;
    return mask;
}
}  // namespace detail

inline constexpr std::array<std::uint32_t, kNumStates> kJacobianPattern = {
    detail::columns({iD, iN, iM1}),                          // D
    detail::columns({iD, iN, iM1, iM2}),                     // N
    detail::columns({iD, iN, iM1}),                          // M1
    detail::columns({iM1, iM2}),                             // M2
    detail::columns({iM1, iM2, iT, iMf}),                    // T
    detail::columns({iT, iF, iMf}),                          // F
    detail::columns({iT, iF, iMf}),                          // Mf
    detail::columns({iN, iM1, iM2, iF, iMf, iP}),            // P
    detail::columns({iT, iF, iMf, iP, iC3, iC1, iCf, iCm}),  // C3
    detail::columns({iT, iF, iMf, iP, iC3, iC1, iCf, iCm}),  // C1
    detail::columns({iP, iC3, iC1, iCf}),                    // Cf
    detail::columns({iP, iCf, iCm}),                         // Cm
    detail::columns({iT, iF, iMf, iEt, iE}),                 // Et
    detail::columns({iN, iM1, iEt, iE}),                     // E
    detail::columns({iN, iM1, iR}),                          // R
};
// Diagonal blocks: block b spans [kJacobianBlocks[b], kJacobianBlocks[b+1]). Collagen (C3, C1,
// Cf, Cm) couples through the set-point feedback on synthesis, elastin (Et, E) through repair.
inline constexpr std::array<std::size_t, 7> kJacobianBlocks = {0, 4, 7, 8, 12, 14, 15};

// The MN-14 system as numerics/system.hpp asks for it: the Rosenbrock stepper factorises its
// iteration matrix by the blocks above.
class Mn14System {
public:
    static constexpr std::size_t size = kNumStates;
    using state_type = State;
    using jacobian_type = Jacobian;
    using linear_solver = numerics::BlockLowerLU<kNumStates, kJacobianBlocks.size() - 1,
                                                 kJacobianPattern, kJacobianBlocks>;

    // p must already carry the patient's covariates (see apply_covariates).
    explicit Mn14System(const Params& effective);

    const Params& params() const { return p_; }
    const Derived<double>& derived() const { return d_; }
    State baseline() const { return baseline_state(p_, d_); }

    // dy/dt at (y, t); the signature odeint expects.
    void operator()(const State& y, State& dydt, double t) const {
        ++rhs_evaluations_;
        rhs(y, p_, d_, t, dydt);
    }

    // Analytic Jacobian df/dy and the explicit time derivative df/dt (non-zero only through the
    // optional set-point drift beta_age).
    void jacobian(const State& y, double t, Jacobian& J, State& dfdt) const;
    // The same, writing only the entries of kJacobianPattern (and all of dfdt): the other entries
    // of J are left as they are, so a J that starts at zero is the Jacobian (numerics/system.hpp).
    void jacobian_entries(const State& y, double t, Jacobian& J, State& dfdt) const;

    std::size_t rhs_evaluations() const { return rhs_evaluations_; }
    std::size_t jacobian_evaluations() const { return jacobian_evaluations_; }

private:
    Params p_;
    Derived<double> d_;
    mutable std::size_t rhs_evaluations_ = 0;
    mutable std::size_t jacobian_evaluations_ = 0;
};

}  // namespace skinremodel
