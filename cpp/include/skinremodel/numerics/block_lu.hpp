// Linear solves with the Rosenbrock iteration matrix W = shift * I - J, where J is block
// lower-triangular with a known sparsity pattern (both compile-time constants of the system;
// DenseLU below is the case of one dense block).
// Only the small diagonal blocks are factorised (Gaussian elimination with partial pivoting inside
// each block) and then inverted; a solve is a block forward substitution over the structural
// non-zeros below them with a small dense product per block. A Rosenbrock step solves four to
// eight times with one factorisation, so inverting small blocks once pays. For MN-14 (blocks of
// at most 4 x 4) this is several times cheaper than a dense 15x15 LU and as accurate (a Catch2
// test compares them). Inverting a block costs O(m^3) however it is done, so DenseLU suits small
// dense systems (the test problems); a large dense system wants a plain LU instead.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "skinremodel/numerics/dispatch.hpp"

namespace skinremodel::numerics {

// Pattern: one bit mask of possibly non-zero columns per row. Bounds: block b spans
// [Bounds[b], Bounds[b+1]); no non-zero may lie to the right of a row's block.
template <std::size_t N, std::size_t NB, const std::array<std::uint32_t, N>& Pattern,
          const std::array<std::size_t, NB + 1>& Bounds>
class BlockLowerLU {
    static_assert(N <= 32, "the pattern keeps one 32-bit mask of columns per row");
    static_assert(Bounds[0] == 0 && Bounds[NB] == N, "the blocks must cover the rows");

public:
    struct Entry {
        std::size_t row, col;
    };

    static constexpr std::size_t block_end(std::size_t row) {
        std::size_t b = 0;
        while (Bounds[b + 1] <= row) ++b;
        return Bounds[b + 1];
    }
    static constexpr std::size_t block_start(std::size_t row) {
        std::size_t b = 0;
        while (Bounds[b + 1] <= row) ++b;
        return Bounds[b];
    }
    static constexpr std::size_t count_coupling() {
        std::size_t n = 0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < block_start(i); ++j) n += (Pattern[i] >> j) & 1u;
        return n;
    }
    static constexpr std::size_t kNumCoupling = count_coupling();
    // Structural non-zeros left of the diagonal blocks, by row.
    static constexpr std::array<Entry, kNumCoupling> coupling() {
        std::array<Entry, kNumCoupling> out{};
        std::size_t n = 0;
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = 0; j < block_start(i); ++j)
                if ((Pattern[i] >> j) & 1u) out[n++] = {i, j};
        return out;
    }
    static constexpr std::array<Entry, kNumCoupling> kCoupling = coupling();

    // True if the pattern puts nothing to the right of a row's diagonal block.
    static constexpr bool pattern_is_block_lower() {
        for (std::size_t i = 0; i < N; ++i)
            for (std::size_t j = block_end(i); j < N; ++j)
                if ((Pattern[i] >> j) & 1u) return false;
        return true;
    }
    static_assert(pattern_is_block_lower(), "Jacobian pattern has entries above its blocks");

    // Factorises W = shift * I - J (J row-major, J[i * N + j]). Returns false if singular.
    bool compute(const double* J, double shift) {
        J_ = J;
        return factor_from<0>(shift);
    }

    // Solves W x = rhs (x may alias rhs). J must still hold the matrix given to compute().
    SKINREMODEL_ALWAYS_INLINE void solve(const double* rhs, double* x) const {
        std::array<double, N> r;
        for (std::size_t i = 0; i < N; ++i) r[i] = rhs[i];
        solve_from<0>(r, x);
    }

    // Solves W X = B in place for Cols right-hand sides at once: X is row-major, N rows of Cols
    // values. The same operations as solve(), each on a row of Cols values (which vectorises);
    // the sensitivity integrator solves for all its columns this way.
    template <std::size_t Cols>
    void solve_columns(double* X) const {
        solve_columns_from<0, Cols>(X);
    }

private:
    template <std::size_t Cols>
    static void subtract_row(double a, const double* src, double* dst) {
        for (std::size_t c = 0; c < Cols; ++c) dst[c] -= a * src[c];
    }

    template <std::size_t C0, std::size_t Cols, std::size_t... I>
    void apply_coupling_columns([[maybe_unused]] double* X, std::index_sequence<I...>) const {
        // W = -J below the blocks: move the already solved blocks to the right-hand side.
        (subtract_row<Cols>(-J_[kCoupling[C0 + I].row * N + kCoupling[C0 + I].col],
                            X + kCoupling[C0 + I].col * Cols, X + kCoupling[C0 + I].row * Cols),
         ...);
    }

    template <std::size_t B, std::size_t Cols>
    void solve_columns_from(double* X) const {
        if constexpr (B < NB) {
            constexpr std::size_t r0 = Bounds[B], r1 = Bounds[B + 1];
            constexpr std::size_t c0 = coupling_begin(B), c1 = coupling_begin(B + 1);
            apply_coupling_columns<c0, Cols>(X, std::make_index_sequence<c1 - c0>{});
            if constexpr (r1 - r0 > 1) {
                for (std::size_t k = r0; k < r1; ++k)
                    if (perm_[k] != k)
                        for (std::size_t c = 0; c < Cols; ++c)
                            std::swap(X[k * Cols + c], X[perm_[k] * Cols + c]);
                for (std::size_t i = r0 + 1; i < r1; ++i)  // unit lower triangle
                    for (std::size_t j = r0; j < i; ++j)
                        subtract_row<Cols>(lu_[i * N + j], X + j * Cols, X + i * Cols);
            }
            for (std::size_t i = r1; i-- > r0;) {  // upper triangle
                for (std::size_t j = i + 1; j < r1; ++j)
                    subtract_row<Cols>(lu_[i * N + j], X + j * Cols, X + i * Cols);
                const double inv = inv_diag_[i];
                for (std::size_t c = 0; c < Cols; ++c) X[i * Cols + c] *= inv;
            }
            solve_columns_from<B + 1, Cols>(X);
        }
    }

    // Everything below is unrolled at compile time over the blocks and the coupling entries; with
    // runtime loop bounds the compiler spends most instructions on loop control (measured).
    static constexpr std::size_t coupling_begin(std::size_t block) {
        std::size_t c = 0;
        while (c < kNumCoupling && kCoupling[c].row < Bounds[block]) ++c;
        return c;
    }

    template <std::size_t B>
    bool factor_from(double shift) {
        if constexpr (B < NB) {
            constexpr std::size_t r0 = Bounds[B], r1 = Bounds[B + 1];
            for (std::size_t i = r0; i < r1; ++i)
                for (std::size_t j = r0; j < r1; ++j)
                    lu_[i * N + j] = (i == j ? shift : 0.0) - J_[i * N + j];
            for (std::size_t k = r0; k < r1; ++k) {
                std::size_t p = k;
                double best = std::abs(lu_[k * N + k]);
                for (std::size_t i = k + 1; i < r1; ++i)
                    if (std::abs(lu_[i * N + k]) > best) {
                        best = std::abs(lu_[i * N + k]);
                        p = i;
                    }
                if (!(best > 0.0) || !std::isfinite(best)) return false;
                perm_[k] = p;
                if (p != k)
                    for (std::size_t j = r0; j < r1; ++j) std::swap(lu_[k * N + j], lu_[p * N + j]);
                const double inv = 1.0 / lu_[k * N + k];
                inv_diag_[k] = inv;
                for (std::size_t i = k + 1; i < r1; ++i) {
                    const double l = lu_[i * N + k] * inv;
                    lu_[i * N + k] = l;
                    for (std::size_t j = k + 1; j < r1; ++j) lu_[i * N + j] -= l * lu_[k * N + j];
                }
            }
            invert_block<B>();
            return factor_from<B + 1>(shift);
        } else {
            return true;
        }
    }

    template <std::size_t C0, std::size_t... I>
    SKINREMODEL_ALWAYS_INLINE void apply_coupling([[maybe_unused]] std::array<double, N>& r,
                                                  [[maybe_unused]] const double* x,
                                                  std::index_sequence<I...>) const {
        // W = -J below the blocks: move the already solved blocks to the right-hand side.
        ((r[kCoupling[C0 + I].row] +=
          J_[kCoupling[C0 + I].row * N + kCoupling[C0 + I].col] * x[kCoupling[C0 + I].col]),
         ...);
    }

    // Inverse of diagonal block B from its pivoted LU factors P W = L U: W^-1 = (L U)^-1 P, so
    // column k of (L U)^-1 (a solve with a unit vector) is column idx[k] of W^-1, where idx[k] is
    // the row the pivoting moved to position k.
    template <std::size_t B>
    void invert_block() {
        constexpr std::size_t r0 = Bounds[B], r1 = Bounds[B + 1], m = r1 - r0;
        if constexpr (m == 1) {
            inv_[r0 * N + r0] = inv_diag_[r0];
        } else {
            std::array<std::size_t, m> idx;
            for (std::size_t k = 0; k < m; ++k) idx[k] = k;
            for (std::size_t k = 0; k < m; ++k) std::swap(idx[k], idx[perm_[r0 + k] - r0]);
            // All unit vectors at once, row by row: the columns are independent, so the
            // substitutions of different columns overlap instead of waiting on each other.
            std::array<std::array<double, m>, m> e{};  // e[i][k]: row i of the solve for column k
            for (std::size_t k = 0; k < m; ++k) e[k][k] = 1.0;
            for (std::size_t i = 1; i < m; ++i)  // unit lower triangle
                for (std::size_t j = 0; j < i; ++j) {
                    const double l = lu_[(r0 + i) * N + r0 + j];
                    for (std::size_t k = 0; k < m; ++k) e[i][k] -= l * e[j][k];
                }
            for (std::size_t i = m; i-- > 0;) {  // upper triangle
                for (std::size_t j = i + 1; j < m; ++j) {
                    const double u = lu_[(r0 + i) * N + r0 + j];
                    for (std::size_t k = 0; k < m; ++k) e[i][k] -= u * e[j][k];
                }
                for (std::size_t k = 0; k < m; ++k) e[i][k] *= inv_diag_[r0 + i];
            }
            for (std::size_t i = 0; i < m; ++i)
                for (std::size_t k = 0; k < m; ++k) inv_[(r0 + i) * N + r0 + idx[k]] = e[i][k];
        }
    }

    // Block forward substitution: the coupling below the diagonal blocks moves the solved blocks
    // to the right-hand side, then each block is a small dense product with its inverse (no chain
    // of dependent operations inside a block, as triangular solves have).
    template <std::size_t B>
    SKINREMODEL_ALWAYS_INLINE void solve_from(std::array<double, N>& r, double* x) const {
        if constexpr (B < NB) {
            constexpr std::size_t r0 = Bounds[B], r1 = Bounds[B + 1];
            constexpr std::size_t c0 = coupling_begin(B), c1 = coupling_begin(B + 1);
            apply_coupling<c0>(r, x, std::make_index_sequence<c1 - c0>{});
            for (std::size_t i = r0; i < r1; ++i) {
                double v = inv_[i * N + r0] * r[r0];
                for (std::size_t j = r0 + 1; j < r1; ++j) v += inv_[i * N + j] * r[j];
                x[i] = v;
            }
            solve_from<B + 1>(r, x);
        }
    }

    const double* J_ = nullptr;
    std::array<double, N * N> lu_{};   // pivoted LU factors; only the diagonal blocks are used
    std::array<double, N * N> inv_{};  // inverses of the diagonal blocks
    std::array<std::size_t, N> perm_{};
    std::array<double, N> inv_diag_{};
};

// A dense N x N system: one block, every entry possibly non-zero.
template <std::size_t N>
constexpr std::array<std::uint32_t, N> dense_pattern() {
    std::array<std::uint32_t, N> rows{};
    for (std::size_t i = 0; i < N; ++i) rows[i] = N == 32 ? ~0u : (1u << N) - 1u;
    return rows;
}
template <std::size_t N>
inline constexpr std::array<std::uint32_t, N> kDensePattern = dense_pattern<N>();
template <std::size_t N>
inline constexpr std::array<std::size_t, 2> kOneBlock = {0, N};
template <std::size_t N>
using DenseLU = BlockLowerLU<N, 1, kDensePattern<N>, kOneBlock<N>>;

}  // namespace skinremodel::numerics
