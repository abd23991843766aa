// ROS34PW2: the 4-stage, stiffly accurate, L-stable Rosenbrock-W method of order 3 of Rang &
// Angermann (BIT 45:761-787, 2005). A W-method keeps its order whatever matrix T stands for the
// Jacobian in W = I/(gamma h) - T. The sensitivity integrator relies on that: it integrates the
// sensitivity equations, whose exact Rosenbrock treatment would need second derivatives of the
// model at every stage, with T = df/dy at the start of the step and no time-derivative term.
// The published tableau is below; the transformed coefficients (no matrix-vector products with
// T) are computed from it at compile time. A Catch2 test checks third-order convergence with
// arbitrary T.
#pragma once

#include <array>
#include <cstddef>

namespace skinremodel::numerics {

struct Ros34pw2 {
    static constexpr std::size_t stages = 4;
    using Matrix = std::array<std::array<double, stages>, stages>;
    using Vector = std::array<double, stages>;

    static constexpr double gamma = 4.3586652150845900e-01;
    // Standard form: (I - h gamma T) k_i = h f(t + alpha_i h, y + sum_j alpha_ij k_j)
    //                                     + h T sum_{j<i} gamma_ij k_j;  y_new = y + sum b_i k_i.
    static constexpr Matrix alpha = {{
        {0.0, 0.0, 0.0, 0.0},
        {8.7173304301691801e-01, 0.0, 0.0, 0.0},
        {8.4457060015369423e-01, -1.1299064236484185e-01, 0.0, 0.0},
        {0.0, 0.0, 1.0, 0.0},
    }};
    static constexpr Matrix gamma_ij = {{
        {gamma, 0.0, 0.0, 0.0},
        {-8.7173304301691801e-01, gamma, 0.0, 0.0},
        {-9.0338057013044082e-01, 5.4180672388095326e-02, gamma, 0.0},
        {2.4212380706095346e-01, -1.2232505839045147e+00, 5.4526025533510214e-01, gamma},
    }};
    static constexpr Vector b = {2.4212380706095346e-01, -1.2232505839045147e+00,
                                 1.5452602553351020e+00, 4.3586652150845900e-01};

    // Stage times alpha_i = sum_j alpha_ij.
    static constexpr Vector c() {
        Vector out{};
        for (std::size_t i = 0; i < stages; ++i)
            for (std::size_t j = 0; j < stages; ++j) out[i] += alpha[i][j];
        return out;
    }

    // Inverse of the lower-triangular matrix gamma_ij (forward substitution).
    static constexpr Matrix gamma_inverse() {
        Matrix inv{};
        for (std::size_t col = 0; col < stages; ++col) {
            for (std::size_t i = col; i < stages; ++i) {
                double s = (i == col) ? 1.0 : 0.0;
                for (std::size_t j = col; j < i; ++j) s -= gamma_ij[i][j] * inv[j][col];
                inv[i][col] = s / gamma_ij[i][i];
            }
        }
        return inv;
    }

    // Transformed form with u_i = sum_{j<=i} gamma_ij k_j:
    //   (I/(gamma h) - T) u_i = f(t + c_i h, y + sum_{j<i} a_ij u_j) + (1/h) sum_{j<i} cc_ij u_j,
    //   y_new = y + sum_i m_i u_i.
    static constexpr Matrix a() {
        const Matrix inv = gamma_inverse();
        Matrix out{};
        for (std::size_t i = 0; i < stages; ++i)
            for (std::size_t j = 0; j < stages; ++j)
                for (std::size_t k = 0; k < stages; ++k) out[i][j] += alpha[i][k] * inv[k][j];
        return out;
    }
    static constexpr Matrix cc() {
        const Matrix inv = gamma_inverse();
        Matrix out{};
        for (std::size_t i = 0; i < stages; ++i)
            for (std::size_t j = 0; j < i; ++j) out[i][j] = -inv[i][j];
        return out;
    }
    static constexpr Vector m() {
        const Matrix inv = gamma_inverse();
        Vector out{};
        for (std::size_t j = 0; j < stages; ++j)
            for (std::size_t k = 0; k < stages; ++k) out[j] += b[k] * inv[k][j];
        return out;
    }
};

}  // namespace skinremodel::numerics
