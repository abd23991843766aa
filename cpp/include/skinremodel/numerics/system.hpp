// What the steppers of numerics/ ask of a system of ODEs x' = f(x, t). C++17 has no concepts, so
// the requirements are a trait that the steppers static_assert:
//
//   static constexpr std::size_t size;           // N, the number of states
//   using state_type = std::array<double, N>;
//   using jacobian_type = ...;                   // N x N, row-major, data() gives N * N doubles
//   using linear_solver = ...;                   // factorises W = shift I - J and solves with it:
//       bool compute(const double* J, double shift);     // false if W is singular
//       void solve(const double* rhs, double* x) const;  // J must still hold the same matrix
//     for example BlockLowerLU (a compile-time sparsity pattern and blocks) or DenseLU<N>
//   void operator()(const state_type& x, state_type& dxdt, double t) const;   // f
//   void jacobian(const state_type& x, double t, jacobian_type& J, state_type& dfdt) const;
//
// Optionally, a system whose Jacobian has known structural zeros may provide
//   void jacobian_entries(const state_type& x, double t, jacobian_type& J, state_type& dfdt) const;
// which writes the structurally non-zero entries of J and all of dfdt and leaves the other entries
// of J as they are: the Rosenbrock stepper then zeroes its matrix once instead of every step.
//
// Explicit steppers (Dopri5) need only size, state_type and operator(). The system decides the
// structure of its Jacobian through jacobian_type and linear_solver: the steppers never see it.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace skinremodel::numerics {

template <class S, class = void>
struct is_rosenbrock_system : std::false_type {};

template <class S>
struct is_rosenbrock_system<
    S, std::void_t<decltype(S::size), typename S::state_type, typename S::jacobian_type,
                   typename S::linear_solver,
                   decltype(std::declval<const S&>()(std::declval<const typename S::state_type&>(),
                                                     std::declval<typename S::state_type&>(), 0.0)),
                   decltype(std::declval<const S&>().jacobian(
                       std::declval<const typename S::state_type&>(), 0.0,
                       std::declval<typename S::jacobian_type&>(),
                       std::declval<typename S::state_type&>())),
                   decltype(std::declval<typename S::jacobian_type&>().data()),
                   decltype(std::declval<typename S::linear_solver&>().compute(
                       std::declval<const double*>(), 0.0)),
                   decltype(std::declval<const typename S::linear_solver&>().solve(
                       std::declval<const double*>(), std::declval<double*>()))>>
    : std::bool_constant<std::is_same_v<typename S::state_type, std::array<double, S::size>>> {};

template <class S>
inline constexpr bool is_rosenbrock_system_v = is_rosenbrock_system<S>::value;

template <class S, class = void>
struct has_jacobian_entries : std::false_type {};
template <class S>
struct has_jacobian_entries<
    S, std::void_t<decltype(std::declval<const S&>().jacobian_entries(
           std::declval<const typename S::state_type&>(), 0.0,
           std::declval<typename S::jacobian_type&>(), std::declval<typename S::state_type&>()))>>
    : std::true_type {};

}  // namespace skinremodel::numerics
