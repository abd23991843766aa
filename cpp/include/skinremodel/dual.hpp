// Forward-mode automatic differentiation with a fixed number of directions. Used to differentiate
// the model templates (Jacobian checks, jumps, covariate rules) without hand-written derivatives.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace skinremodel {

template <std::size_t N>
struct Dual {
    double v = 0.0;
    std::array<double, N> d{};

    Dual() = default;
    Dual(double value) : v(value) {}  // NOLINT: implicit on purpose, constants mix freely
    static Dual variable(double value, std::size_t direction) {
        Dual x(value);
        x.d[direction] = 1.0;
        return x;
    }

    Dual& operator+=(const Dual& b) {
        v += b.v;
        for (std::size_t i = 0; i < N; ++i) d[i] += b.d[i];
        return *this;
    }
    Dual& operator-=(const Dual& b) {
        v -= b.v;
        for (std::size_t i = 0; i < N; ++i) d[i] -= b.d[i];
        return *this;
    }
    Dual& operator*=(const Dual& b) {
        for (std::size_t i = 0; i < N; ++i) d[i] = d[i] * b.v + v * b.d[i];
        v *= b.v;
        return *this;
    }
    Dual& operator/=(const Dual& b) {
        const double inv = 1.0 / b.v;
        const double q = v * inv;
        for (std::size_t i = 0; i < N; ++i) d[i] = (d[i] - q * b.d[i]) * inv;
        v = q;
        return *this;
    }
};

// Applies the chain rule for a unary function with value fx and derivative dfx at x.
template <std::size_t N>
Dual<N> chain(const Dual<N>& x, double fx, double dfx) {
    Dual<N> r(fx);
    for (std::size_t i = 0; i < N; ++i) r.d[i] = dfx * x.d[i];
    return r;
}

template <std::size_t N>
Dual<N> operator+(Dual<N> a, const Dual<N>& b) { return a += b; }
template <std::size_t N>
Dual<N> operator-(Dual<N> a, const Dual<N>& b) { return a -= b; }
template <std::size_t N>
Dual<N> operator*(Dual<N> a, const Dual<N>& b) { return a *= b; }
template <std::size_t N>
Dual<N> operator/(Dual<N> a, const Dual<N>& b) { return a /= b; }
template <std::size_t N>
Dual<N> operator+(Dual<N> a, double b) { a.v += b; return a; }
template <std::size_t N>
Dual<N> operator+(double a, Dual<N> b) { b.v += a; return b; }
template <std::size_t N>
Dual<N> operator-(Dual<N> a, double b) { a.v -= b; return a; }
template <std::size_t N>
Dual<N> operator-(double a, const Dual<N>& b) { return Dual<N>(a) - b; }
template <std::size_t N>
Dual<N> operator*(Dual<N> a, double b) {
    a.v *= b;
    for (auto& x : a.d) x *= b;
    return a;
}
template <std::size_t N>
Dual<N> operator*(double a, Dual<N> b) { return b * a; }
template <std::size_t N>
Dual<N> operator/(Dual<N> a, double b) { return a * (1.0 / b); }
template <std::size_t N>
Dual<N> operator/(double a, const Dual<N>& b) { return Dual<N>(a) / b; }
template <std::size_t N>
Dual<N> operator-(Dual<N> a) {
    a.v = -a.v;
    for (auto& x : a.d) x = -x;
    return a;
}

template <std::size_t N>
bool operator<(const Dual<N>& a, const Dual<N>& b) { return a.v < b.v; }
template <std::size_t N>
bool operator<(const Dual<N>& a, double b) { return a.v < b; }
template <std::size_t N>
bool operator<(double a, const Dual<N>& b) { return a < b.v; }
template <std::size_t N>
bool operator>(const Dual<N>& a, double b) { return a.v > b; }
template <std::size_t N>
bool operator>(const Dual<N>& a, const Dual<N>& b) { return a.v > b.v; }

template <std::size_t N>
Dual<N> exp(const Dual<N>& x) {
    const double e = std::exp(x.v);
    return chain(x, e, e);
}
template <std::size_t N>
Dual<N> log(const Dual<N>& x) { return chain(x, std::log(x.v), 1.0 / x.v); }
template <std::size_t N>
Dual<N> log1p(const Dual<N>& x) { return chain(x, std::log1p(x.v), 1.0 / (1.0 + x.v)); }
template <std::size_t N>
Dual<N> sqrt(const Dual<N>& x) {
    const double s = std::sqrt(x.v);
    return chain(x, s, 0.5 / s);
}
template <std::size_t N>
Dual<N> pow(const Dual<N>& x, double n) {
    const double xn = std::pow(x.v, n);
    return chain(x, xn, n * std::pow(x.v, n - 1.0));
}
template <std::size_t N>
Dual<N> pow(const Dual<N>& x, const Dual<N>& n) {
    // x^n = exp(n ln x); the n-derivative needs x > 0, which holds for every use in the model.
    const double xn = std::pow(x.v, n.v);
    const double lx = std::log(x.v);
    Dual<N> r(xn);
    const double dx = n.v * std::pow(x.v, n.v - 1.0);
    for (std::size_t i = 0; i < N; ++i) r.d[i] = dx * x.d[i] + xn * lx * n.d[i];
    return r;
}

}  // namespace skinremodel
