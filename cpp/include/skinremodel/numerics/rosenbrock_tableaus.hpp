// Coefficient tables of the Rosenbrock methods, in the transformed form of Hairer & Wanner
// (Solving ODEs II, section IV.7) that needs no matrix-vector product with the Jacobian. With
// W = I / (gamma h) - J (J the Jacobian, or any matrix T for a W-method), stage i solves
//
//   W k_i = f(t + c_i h, x + sum_{j<i} a_ij k_j) + h d_i df/dt + (1/h) sum_{j<i} C_ij k_j,
//
// then x_new = x + sum_i m_i k_i, the error estimate is sum_i e_i k_i, and the dense output is
// x(s) = x_old (1 - s) + s (x_new + (1 - s) (q_0 + s (q_1 + s (q_2 + ...)))), s in [0, 1], with
// q_r = sum_i H_ri k_i (K rows; K = 0 gives linear interpolation).
//
// A table is a type with static constexpr members: stages, dense_rows, order, error_order,
// gamma, a, C, c, d, m, e, H. The stepper (rosenbrock.hpp) reads them at compile time, skips
// zero coefficients and recognises the stiffly accurate shapes (see stiffly_accurate_weights).
#pragma once

#include <array>
#include <cstddef>

namespace skinremodel::numerics {

template <std::size_t S, std::size_t K>
struct TableauShape {
    static constexpr std::size_t stages = S;
    static constexpr std::size_t dense_rows = K;
    using Matrix = std::array<std::array<double, S>, S>;
    using Vector = std::array<double, S>;
    using Dense = std::array<Vector, K>;

    // Stiffly accurate methods whose last stage argument plus the last stage is the solution:
    // m = a[S-1] + (0, ..., 0, 1). Their embedded solution is the last stage argument, so the
    // error estimate is the last stage alone: e = (0, ..., 0, 1).
    static constexpr Vector stiffly_accurate_weights(const Matrix& a) {
        Vector m = a[S - 1];
        m[S - 1] = 1.0;
        return m;
    }
    static constexpr Vector last_stage() {
        Vector e{};
        e[S - 1] = 1.0;
        return e;
    }
};

// RODAS 4(3): the L-stable, stiffly accurate method of Hairer & Wanner with its third-order dense
// output (their Fortran code RODAS, first coefficient set). The coefficients are those of
// Boost.Odeint's rosenbrock4 except d4, the weight of df/dt in stage 4: odeint has +0.0362,
// RODAS -0.0362. With +0.0362 the method is first order on non-autonomous problems (measured:
// observed order 1.07 with fixed steps, 1.07 for odeint's own rosenbrock4 too; 3.98 with
// -0.0362). A Catch2 test compares one step with odeint's on MN-14 without the set-point drift,
// where df/dt = 0 and the two agree.
struct Rodas4Tableau : TableauShape<6, 2> {
    static constexpr int order = 4;
    static constexpr int error_order = 3;
    static constexpr double gamma = 0.25;
    static constexpr Matrix a = {{
        {},
        {0.1544000000000000e+01},
        {0.9466785280815826e+00, 0.2557011698983284e+00},
        {0.3314825187068521e+01, 0.2896124015972201e+01, 0.9986419139977817e+00},
        {0.1221224509226641e+01, 0.6019134481288629e+01, 0.1253708332932087e+02,
         -0.6878860361058950e+00},
        {0.1221224509226641e+01, 0.6019134481288629e+01, 0.1253708332932087e+02,
         -0.6878860361058950e+00, 1.0},
    }};
    static constexpr Matrix C = {{
        {},
        {-0.5668800000000000e+01},
        {-0.2430093356833875e+01, -0.2063599157091915e+00},
        {-0.1073529058151375e+00, -0.9594562251023355e+01, -0.2047028614809616e+02},
        {0.7496443313967647e+01, -0.1024680431464352e+02, -0.3399990352819905e+02,
         0.1170890893206160e+02},
        {0.8083246795921522e+01, -0.7981132988064893e+01, -0.3152159432874371e+02,
         0.1631930543123136e+02, -0.6058818238834054e+01},
    }};
    static constexpr Vector c = {0.0, 0.386, 0.21, 0.63, 1.0, 1.0};
    static constexpr Vector d = {0.25, -0.1043, 0.1035, -0.3620000000000023e-01, 0.0, 0.0};
    static constexpr Vector m = stiffly_accurate_weights(a);
    static constexpr Vector e = last_stage();
    static constexpr Dense H = {{
        {0.1012623508344586e+02, -0.7487995877610167e+01, -0.3480091861555747e+02,
         -0.7992771707568823e+01, 0.1025137723295662e+01, 0.0},
        {-0.6762803392801253e+00, 0.6087714651680015e+01, 0.1643084320892478e+02,
         0.2476722511418386e+02, -0.6594389125716872e+01, 0.0},
    }};
};

// Rodas5P: the L-stable, stiffly accurate method of order 5(4) with 8 stages and a fourth-order
// dense output, by G. Steinebach ("Construction of Rosenbrock-Wanner method Rodas5P and numerical
// benchmarks within the Julia Differential Equations package", BIT Numerical Mathematics 63,
// 2023). Coefficients as published (also those of OrdinaryDiffEq.jl's Rodas5P). Two more stages
// than RODAS4 but, on MN-14 at the default tolerances, half the steps for a smaller error
// (docs/solvers.md), which is why it is the engine's default.
struct Rodas5PTableau : TableauShape<8, 3> {
    static constexpr int order = 5;
    static constexpr int error_order = 4;
    static constexpr double gamma = 0.21193756319429014;
    static constexpr Vector a6 = {-7.502846399306121, 2.561846144803919, -11.627539656261098,
                                  -0.18268767659942256, 0.030198172008377946};
    static constexpr Matrix a = {{
        {},
        {3.0},
        {2.849394379747939, 0.45842242204463923},
        {-6.954028509809101, 2.489845061869568, -10.358996098473584},
        {2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641},
        {a6[0], a6[1], a6[2], a6[3], a6[4]},
        {a6[0], a6[1], a6[2], a6[3], a6[4], 1.0},
        {a6[0], a6[1], a6[2], a6[3], a6[4], 1.0, 1.0},
    }};
    static constexpr Matrix C = {{
        {},
        {-14.155112264123755},
        {-17.97296035885952, -2.859693295451294},
        {147.12150275711716, -1.41221402718213, 71.68940251302358},
        {165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306},
        {24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125,
         -0.6610691825249471},
        {30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783,
         -19.097331116725623, -28.087943162872662},
        {37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047,
         -40.06618937091002, -54.66780262877968, -9.48861652309627},
    }};
    static constexpr Vector c = {0.0,
                                 0.6358126895828704,
                                 0.4095798393397535,
                                 0.9769306725060716,
                                 0.4288403609558664,
                                 1.0,
                                 1.0,
                                 1.0};
    static constexpr Vector d = {0.21193756319429014,
                                 -0.42387512638858027,
                                 -0.3384627126235924,
                                 1.8046452872882734,
                                 2.325825639765069,
                                 0.0,
                                 0.0,
                                 0.0};
    static constexpr Vector m = stiffly_accurate_weights(a);
    static constexpr Vector e = last_stage();
    static constexpr Dense H = {{
        {25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204,
         0.524948541321073, 1.1241088310450404, 0.4272876194431874, -0.17202221070155493},
        {-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796,
         20.176138334709044, 15.98066361424651, -6.789040303419874, -6.710236069923372},
        {11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643,
         -52.072871366152654, -59.78993625266729, -0.15582684282751913, 4.883087185713722},
    }};
};

// ROS34PW2: the 4-stage, stiffly accurate, L-stable Rosenbrock-W method of order 3 (embedded
// order 2) of Rang & Angermann (BIT 45:761-787, 2005). A W-method keeps its order whatever
// matrix T stands for the Jacobian in W = I/(gamma h) - T. The sensitivity integrator relies on
// that: it integrates the sensitivity equations, whose exact Rosenbrock treatment would need
// second derivatives of the model at every stage, with T = df/dy at the end of the step and no
// time-derivative term. The published standard form is below; the transformed coefficients
// are computed from it at compile time. No continuous extension here (dense_rows = 0: the
// stepper interpolates linearly; the sensitivity integrator uses cubic Hermite interpolation).
struct Ros34pw2StandardForm : TableauShape<4, 0> {
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
    // The embedded second-order solution (Rang & Angermann's b-hat).
    static constexpr Vector b_hat = {3.7810903145819369e-01, -9.6042292212423178e-02,
                                     5.0000000000000000e-01, 2.1793326075422950e-01};

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
    // Transformed form with u_i = sum_{j<=i} gamma_ij k_j: a = alpha Gamma^-1,
    // C_ij = -(Gamma^-1)_ij below the diagonal, m = b Gamma^-1, c_i = sum_j alpha_ij,
    // d_i = sum_j gamma_ij.
    static constexpr Matrix transformed_a() {
        const Matrix inv = gamma_inverse();
        Matrix out{};
        for (std::size_t i = 0; i < stages; ++i)
            for (std::size_t j = 0; j < stages; ++j)
                for (std::size_t k = 0; k < stages; ++k) out[i][j] += alpha[i][k] * inv[k][j];
        return out;
    }
    static constexpr Matrix transformed_C() {
        const Matrix inv = gamma_inverse();
        Matrix out{};
        for (std::size_t i = 0; i < stages; ++i)
            for (std::size_t j = 0; j < i; ++j) out[i][j] = -inv[i][j];
        return out;
    }
    static constexpr Vector times_gamma_inverse(const Vector& w) {
        const Matrix inv = gamma_inverse();
        Vector out{};
        for (std::size_t j = 0; j < stages; ++j)
            for (std::size_t k = 0; k < stages; ++k) out[j] += w[k] * inv[k][j];
        return out;
    }
    static constexpr Vector row_sums(const Matrix& x) {
        Vector out{};
        for (std::size_t i = 0; i < stages; ++i)
            for (std::size_t j = 0; j < stages; ++j) out[i] += x[i][j];
        return out;
    }
    static constexpr Vector difference(const Vector& x, const Vector& y) {
        Vector out{};
        for (std::size_t i = 0; i < stages; ++i) out[i] = x[i] - y[i];
        return out;
    }
};

struct Ros34pw2Tableau : Ros34pw2StandardForm {
    static constexpr int order = 3;
    static constexpr int error_order = 2;
    static constexpr Matrix a = transformed_a();
    static constexpr Matrix C = transformed_C();
    static constexpr Vector c = row_sums(alpha);
    static constexpr Vector d = row_sums(gamma_ij);
    static constexpr Vector m = times_gamma_inverse(b);
    static constexpr Vector e = difference(m, times_gamma_inverse(b_hat));
    static constexpr Dense H = {};
};

}  // namespace skinremodel::numerics
