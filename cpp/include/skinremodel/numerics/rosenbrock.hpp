// One Rosenbrock stepper for every coefficient table of rosenbrock_tableaus.hpp (RODAS4, Rodas5P,
// ROS34PW2), templated on the system (numerics/system.hpp): the system supplies f, its Jacobian
// and df/dt, and the linear solver that fits its Jacobian's structure; the table supplies the
// method. Per step: one Jacobian, one factorisation of W = I / (gamma h) - J, and per stage one
// right-hand side and one solve.
//
// The stage loops run over compile-time bounds with the table's coefficients as constants: zero
// coefficients are skipped, a stage argument that extends the previous one (x_i = x_{i-1} +
// a k_{i-1}, the last stages of stiffly accurate methods) is computed as that update, and the
// stiffly accurate solution x_new = x_S + k_S with error k_S is recognised. What the compiler
// makes of it is straight-line code with the same floating-point operations as the hand-unrolled
// RODAS4 and Rodas5P steppers it replaced (bitwise the same results for Rodas5P; for RODAS4 one
// product is now rounded as inv * (C21 k1) instead of (C21 inv) k1, as in every other stage).
// It was also cheaper when it replaced them: callgrind on `bench_engine 20 0` counted 66.6 M
// instructions for Rodas5P against 72.9 M with the hand-unrolled stepper (its try_step: 24.3 M;
// these stages: 18.8 M), and 96.2 M against 100.2 M for RODAS4 (`bench_engine 20 0 rodas4`), so no
// hand-unrolled variant is kept. The stages are compiled twice, for the baseline CPU and for AVX2,
// and picked at run time (dispatch.hpp); docs/performance.md has today's costs.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include "skinremodel/numerics/dispatch.hpp"
#include "skinremodel/numerics/rosenbrock_tableaus.hpp"
#include "skinremodel/numerics/system.hpp"

namespace skinremodel::numerics {

template <class System, class Tableau>
class Rosenbrock {
    static_assert(is_rosenbrock_system_v<System>,
                  "the system lacks what numerics/system.hpp asks of a Rosenbrock system");

public:
    static constexpr std::size_t n = System::size;
    static constexpr std::size_t S = Tableau::stages;
    static constexpr std::size_t K = Tableau::dense_rows;
    using state_type = typename System::state_type;

    static constexpr int order = Tableau::order;
    static constexpr int error_order = Tableau::error_order;
    static constexpr bool predictive_controller = true;  // Gustafsson, as odeint's controller

    static_assert(S >= 1 && Tableau::c[0] == 0.0, "the first stage must be at the step start");

    Rosenbrock() {
        // With jacobian_entries the entries outside the system's pattern are never written.
        double* J = jac_.data();
        for (std::size_t i = 0; i < n * n; ++i) J[i] = 0.0;
    }

    // Nothing to carry between steps (no FSAL derivative).
    void begin(const System&, const state_type&, double) {}
    void restart(const System&, const state_type&, double) {}

    // One step of size dt from (x, t); returns false if the iteration matrix is singular (the
    // driver then retries with a smaller step). When retry is true, x and t are those of the
    // previous call (a rejected step), so the Jacobian is reused and only W is refactorised.
    bool try_step(const System& sys, const state_type& x, double t, double dt, bool retry,
                  state_type& xout, state_type& xerr) {
        if (!retry) {
            if constexpr (has_jacobian_entries<System>::value)
                sys.jacobian_entries(x, t, jac_, dfdt_);
            else
                sys.jacobian(x, t, jac_, dfdt_);
            sys(x, dxdt_, t);
        }
        ++lu_decompositions_;
        if (!lu_.compute(jac_.data(), 1.0 / (Tableau::gamma * dt))) return false;
        state_type xs;
#if SKINREMODEL_DISPATCH_AVX2
        if (use_avx2())
            stages_avx2(sys, x, t, dt, xs, std::make_index_sequence<S>{});
        else
#endif
            stages(sys, x, t, dt, xs, std::make_index_sequence<S>{});
        const state_type& last = k_[S - 1];
        if constexpr (solution_is_last_stage()) {
            for (std::size_t i = 0; i < n; ++i) xout[i] = xs[i] + last[i];
        } else {
            for (std::size_t i = 0; i < n; ++i) xout[i] = x[i] + sum<Row::m>(i);
        }
        if constexpr (error_is_last_stage()) {
            xerr = last;
        } else {
            for (std::size_t i = 0; i < n; ++i) xerr[i] = sum<Row::e>(i);
        }
        return true;
    }

    // The step just tried is accepted. Its dense output (interpolate, project) is valid until the
    // next try_step. Its coefficients are computed when first needed: steps with no output inside
    // them and no event near a threshold never pay for them.
    void accept(const System&) {
        dense_ready_ = false;
    }

    // Value of the dense output of the last accepted step [t_old, t_new] at t.
    void interpolate(double t, state_type& x, const state_type& x_old, double t_old,
                     const state_type& x_new, double t_new) const {
        if constexpr (K > 0)
            if (!dense_ready_) {
                dense_rows(std::make_index_sequence<K>{});
                dense_ready_ = true;
            }
        const double s = (t - t_old) / (t_new - t_old);
        const double s1 = 1.0 - s;
        for (std::size_t i = 0; i < n; ++i) {
            if constexpr (K == 0) {
                x[i] = x_old[i] * s1 + s * x_new[i];
            } else {
                double p = dense_[K - 1][i];
                for (std::size_t k = K - 1; k-- > 0;) p = dense_[k][i] + s * p;
                x[i] = x_old[i] * s1 + s * (x_new[i] + s1 * p);
            }
        }
    }

    // The dense output is linear in its per-state data, so a linear function of the state
    // w . x(t) is a scalar polynomial of the same form: events evaluate it without interpolating
    // every state. Functional: any type with size, index[k] and weight[k] (the non-zero weights).
    struct ScalarInterpolant {
        double old_value = 0.0, new_value = 0.0;
        std::array<double, K> d{};
        // Value at the fraction s of the step, as interpolate() computes it per state.
        double at(double s) const {
            if constexpr (K == 0) {
                return old_value * (1.0 - s) + s * new_value;
            } else {
                double p = d[K - 1];
                for (std::size_t k = K - 1; k-- > 0;) p = d[k] + s * p;
                return old_value * (1.0 - s) + s * (new_value + (1.0 - s) * p);
            }
        }
        // True if at(s) - level has the sign of old_value - level, and is not zero, at every s in
        // [0, 1], as at() computes it: at(s) - level = (1 - s) g0 + s g1 + s (1 - s) q(s) with
        // g0, g1 the ends' values and |s (1 - s) q(s)| <= (|d_0| + ... + |d_K-1|) / 4, so the ends
        // having one sign and both exceeding that bound (plus a margin far above the rounding of
        // at()) rules out a zero inside. Events skip their samples in such steps.
        bool keeps_sign(double level) const {
            const double g0 = old_value - level, g1 = new_value - level;
            if ((g0 > 0.0) != (g1 > 0.0)) return false;
            double bound = 0.0;
            for (std::size_t k = 0; k < K; ++k) bound += std::abs(d[k]);
            const double scale = std::abs(old_value) + std::abs(new_value) + std::abs(level);
            return std::min(std::abs(g0), std::abs(g1)) > 0.25 * bound + 1e-12 * (scale + bound);
        }
    };
    template <class Functional>
    ScalarInterpolant project(const Functional& w, const state_type& x_old,
                              const state_type& x_new) const {
        ScalarInterpolant p;
        for (std::size_t j = 0; j < w.size; ++j) {
            const std::size_t i = w.index[j];
            p.old_value += w.weight[j] * x_old[i];
            p.new_value += w.weight[j] * x_new[i];
            if constexpr (K > 0) {
                // The dense coefficients of the few states involved, as dense_rows computes them
                // (the same operations, so the same values), unless they are already there.
                const std::array<double, K> q =
                    dense_ready_ ? dense_column(i) : dense_column(i, std::make_index_sequence<K>{});
                for (std::size_t k = 0; k < K; ++k) p.d[k] += w.weight[j] * q[k];
            }
        }
        return p;
    }

    std::size_t lu_decompositions() const {
        return lu_decompositions_;
    }

private:
    // The coefficient rows the stage loops read: a[row], C[row], H[row], m and e.
    enum class Row { a, C, H, m, e };
    static constexpr double coef(Row which, std::size_t row, std::size_t j) {
        switch (which) {
            case Row::a:
                return Tableau::a[row][j];
            case Row::C:
                return Tableau::C[row][j];
            case Row::H:
                return Tableau::H[row][j];
            case Row::m:
                return Tableau::m[j];
            case Row::e:
                return Tableau::e[j];
        }
        return 0.0;
    }
    static constexpr std::size_t first_nonzero(Row which, std::size_t row, std::size_t count) {
        for (std::size_t j = 0; j < count; ++j)
            if (coef(which, row, j) != 0.0) return j;
        return count;
    }

    // sum_{j < count, w_j != 0} w_j k_j[i] written out as a left fold over the non-zero
    // weights w = coef(W, R, j), the first product starting the sum (no 0 + ...).
    template <Row W, std::size_t R, std::size_t... J>
    SKINREMODEL_ALWAYS_INLINE double fold(std::size_t i, std::index_sequence<J...>) const {
        constexpr std::size_t first = first_nonzero(W, R, sizeof...(J));
        double v = 0.0;
        const auto add = [&](auto j) {
            constexpr std::size_t jj = decltype(j)::value;
            constexpr double w = coef(W, R, jj);
            if constexpr (jj == first)
                v = w * k_[jj][i];
            else if constexpr (w != 0.0)
                v = v + w * k_[jj][i];
        };
        (add(std::integral_constant<std::size_t, J>{}), ...);
        return v;
    }
    template <Row W, std::size_t R = 0>
    SKINREMODEL_ALWAYS_INLINE double sum(std::size_t i) const {
        return fold<W, R>(i, std::make_index_sequence<S>{});
    }
    // x + sum_{j < I, a_Ij != 0} a_Ij k_j[i], from x.
    template <std::size_t I, std::size_t... J>
    SKINREMODEL_ALWAYS_INLINE double stage_argument(double x, std::size_t i,
                                                    std::index_sequence<J...>) const {
        const auto add = [&](auto j) {
            constexpr std::size_t jj = decltype(j)::value;
            constexpr double w = Tableau::a[I][jj];
            if constexpr (w != 0.0) x = x + w * k_[jj][i];
        };
        (add(std::integral_constant<std::size_t, J>{}), ...);
        return x;
    }

    // Stage I's argument is stage I-1's plus a multiple of k_{I-1}.
    static constexpr bool extends_previous(std::size_t I) {
        if (I < 2) return false;
        for (std::size_t j = 0; j + 1 < I; ++j)
            if (Tableau::a[I][j] != Tableau::a[I - 1][j]) return false;
        return true;
    }
    static constexpr bool solution_is_last_stage() {
        for (std::size_t j = 0; j + 1 < S; ++j)
            if (Tableau::m[j] != Tableau::a[S - 1][j]) return false;
        return Tableau::m[S - 1] == 1.0;
    }
    static constexpr bool error_is_last_stage() {
        for (std::size_t j = 0; j + 1 < S; ++j)
            if (Tableau::e[j] != 0.0) return false;
        return Tableau::e[S - 1] == 1.0;
    }

    // Not inlined into the caller: with the stages inlined into the driver's step loop, GCC 12
    // spent 5% more instructions on RODAS4 (callgrind, bench_engine 20 0 rodas4: 105.7 M
    // inlined, 96.2 M not; Rodas5P 66.6 M either way, when these were measured). Everything a
    // stage does is inlined into it (SKINREMODEL_ALWAYS_INLINE), so that the AVX2 variant is
    // AVX2 throughout.
    template <std::size_t... I>
    SKINREMODEL_NOINLINE void stages(const System& sys, const state_type& x, double t, double dt,
                                     state_type& xs, std::index_sequence<I...>) {
        (stage<I>(sys, x, t, dt, xs), ...);
    }
    // The same for AVX2 (dispatch.hpp): the stage loops and the solves, inlined, on four values at
    // a time; the right-hand sides are the system's own (baseline) code.
    template <std::size_t... I>
    SKINREMODEL_NOINLINE SKINREMODEL_TARGET_AVX2 void stages_avx2(const System& sys,
                                                                  const state_type& x, double t,
                                                                  double dt, state_type& xs,
                                                                  std::index_sequence<I...>) {
        (stage<I>(sys, x, t, dt, xs), ...);
    }

    // Stage I: its argument xs and right-hand side f, then W k_I = f + h d_I df/dt + (1/h)
    // sum_j C_Ij k_j.
    template <std::size_t I>
    SKINREMODEL_ALWAYS_INLINE void stage(const System& sys, const state_type& x, double t,
                                         double dt, state_type& xs) {
        constexpr double d = Tableau::d[I];
        state_type fk;
        const state_type* f = &dxdt_;
        if constexpr (I > 0) {
            if constexpr (extends_previous(I)) {
                constexpr double w = Tableau::a[I][I - 1];
                for (std::size_t i = 0; i < n; ++i) xs[i] = xs[i] + w * k_[I - 1][i];
            } else {
                for (std::size_t i = 0; i < n; ++i)
                    xs[i] = stage_argument<I>(x[i], i, std::make_index_sequence<I>{});
            }
            sys(xs, fk, t + Tableau::c[I] * dt);
            f = &fk;
        }
        state_type r;
        const double inv = 1.0 / dt;
        for (std::size_t i = 0; i < n; ++i) {
            double v = (*f)[i];
            if constexpr (d != 0.0) v = v + dt * d * dfdt_[i];
            if constexpr (first_nonzero(Row::C, I, I) < I)
                v = v + inv * fold<Row::C, I>(i, std::make_index_sequence<I>{});
            r[i] = v;
        }
        lu_.solve(r.data(), k_[I].data());
    }

    template <std::size_t... R>
    void dense_rows(std::index_sequence<R...>) const {
        (dense_row<R>(), ...);
    }
    template <std::size_t R>
    void dense_row() const {
        for (std::size_t i = 0; i < n; ++i) dense_[R][i] = sum<Row::H, R>(i);
    }
    // The dense coefficients of state i: from the stages, or from dense_ once computed.
    template <std::size_t... R>
    std::array<double, K> dense_column(std::size_t i, std::index_sequence<R...>) const {
        return {sum<Row::H, R>(i)...};
    }
    std::array<double, K> dense_column(std::size_t i) const {
        std::array<double, K> q;
        for (std::size_t k = 0; k < K; ++k) q[k] = dense_[k][i];
        return q;
    }

    typename System::jacobian_type jac_;
    typename System::linear_solver lu_;
    state_type dxdt_{}, dfdt_{};
    std::array<state_type, S> k_{};
    // The dense output's coefficients, computed from k_ on first use after accept().
    mutable std::array<state_type, K> dense_{};
    mutable bool dense_ready_ = false;
    std::size_t lu_decompositions_ = 0;
};

}  // namespace skinremodel::numerics
