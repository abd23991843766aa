// Forward sensitivities S = dy/dp, carried along the state integration of solver.cpp.
//
// Between sessions S obeys S' = (df/dy) S + df/dp, a linear system as stiff as the model. It is
// integrated on the accepted steps of the state integration (staggered: rejected steps cost
// nothing) with the Rosenbrock-W method ROS34PW2, whose order does not depend on the matrix T in
// W = I/(gamma h) - T. Its stages need S' at points inside the step: the state there comes from
// the state method's dense output and S' from one dual-number evaluation of the model's rhs<T>
// with the states seeded by S and the parameters by their derivatives. (An exact Rosenbrock
// treatment of the augmented system [y, S] would need second derivatives at every stage, and
// dropping them leaves the sensitivities first-order accurate: measured, docs/fitting.md.)
// At a session, S+ = (d jump/dy) S- + d jump/dp, from apply_session<T> and session_dose<T> on dual
// numbers; the start S(0) is the derivative of baseline_state<T>, through apply_covariates<T>
// and derived_constants<T>. All of these come from the model templates, so a change of the
// model equations needs no change here. The one other input is the engine's Jacobian, used as
// T; since T is df/dy at the end of the step, it also yields S' there (see step()), which the
// Catch2 test of that Jacobian against dual numbers keeps exact.
//
// Session days (columns day[k]). For t > t_k, y(t) = Phi(t; t_k, J(y-(t_k))), where the left
// state y-(t_k) is the flow from the previous session up to t_k (so d y-/d t_k = f(y-, t_k)),
// J is the jump and Phi(t; s, x) the flow from (s, x), whose derivative in its start time is
// -Phi_x f(x, s). Hence d y(t)/d t_k = Phi_x [ (dJ/dy)(y-) f(y-, t_k) - f(y+, t_k) ]: the column
// is zero up to t_k, starts right after the jump at (dJ/dy) f(y-) - f(y+) (the left and the
// right vector fields), and then obeys the variational equation S' = (df/dy) S like any other
// column (no explicit term: day[k] enters no parameter). Later jumps carry it by dJ/dy as
// usual. An output exactly at t_k is the post-jump state, so its derivative there is the
// one-sided (earlier-session) derivative.
#include "skinremodel/simulation/sensitivity.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string_view>

#include "format.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/equations.hpp"
#include "skinremodel/model/patient.hpp"
#include "skinremodel/model/system.hpp"
#include "skinremodel/numerics/dual.hpp"
#include "skinremodel/numerics/rosenbrock_tableaus.hpp"

namespace skinremodel {

namespace {

constexpr std::string_view kDepthPrefix = "depth_mm[";
constexpr std::string_view kDayPrefix = "day[";

// "depth_mm[k]" (or "day[k]" with kDayPrefix) -> k; returns false if name does not have that form.
bool parse_depth(const std::string& name, std::size_t& k, std::string_view prefix = kDepthPrefix) {
    const std::size_t n = prefix.size();
    if (name.size() <= n + 1 || name.compare(0, n, prefix) != 0 || name.back() != ']') return false;
    const std::string digits = name.substr(n, name.size() - n - 1);
    const auto is_digit = [](unsigned char ch) { return std::isdigit(ch) != 0; };
    if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), is_digit))
        return false;
    k = static_cast<std::size_t>(std::stoul(digits));
    return true;
}

}  // namespace

SensitivityColumn sensitivity_column(const std::string& name, std::size_t n_sessions) {
    std::size_t k = 0;
    const bool day = parse_depth(name, k, kDayPrefix);
    if (day || parse_depth(name, k)) {
        if (k >= n_sessions)
            throw InvalidInput("sensitivities: '" + name + "' refers to session " +
                               std::to_string(k) + ", but the plan has " +
                               std::to_string(n_sessions) + " sessions (k must be in [0, " +
                               std::to_string(n_sessions) + "))");
        return {day ? SensitivityColumn::Kind::day : SensitivityColumn::Kind::depth, k};
    }
    if (name.rfind(kDayPrefix, 0) == 0)
        throw InvalidInput("sensitivities: '" + name +
                           "': a session day is written day[k], k the session index counted "
                           "from 0");
    if (name.rfind("depth_mm", 0) == 0)
        throw InvalidInput("sensitivities: '" + name +
                           "': a session depth is written depth_mm[k], k the session index "
                           "counted from 0");
    try {
        return {SensitivityColumn::Kind::parameter, parameter_index(name)};
    } catch (const InvalidInput&) {
        throw InvalidInput("sensitivities: unknown parameter '" + name +
                           "'; give a parameter name, depth_mm[k] or day[k] (session k, counted "
                           "from 0)");
    }
}

std::vector<SensitivityColumn> sensitivity_columns(const std::vector<std::string>& names,
                                                   std::size_t n_sessions) {
    std::vector<SensitivityColumn> out;
    for (const std::string& name : names) {
        const SensitivityColumn col = sensitivity_column(name, n_sessions);
        for (const SensitivityColumn& seen : out)
            if (seen.kind == col.kind && seen.index == col.index)
                throw InvalidInput("sensitivities: '" + name + "' listed twice");
        out.push_back(col);
    }
    return out;
}

namespace {

using Method = numerics::Ros34pw2Tableau;
constexpr auto kStages = Method::stages;
constexpr auto kA = Method::a;
constexpr auto kCC = Method::C;
constexpr auto kM = Method::m;
constexpr auto kStageTime = Method::c;
static_assert(kStages == 4, "combine() is written out for four stages");
static_assert(kStageTime[0] == 0.0 && kStageTime[kStages - 1] == 1.0,
              "the first stage must sit at the start of the step and the last at its end");

using LU = Mn14System::linear_solver;

using detail::format_time;

// Sensitivities of N columns at a time: N is the width of the dual numbers, and more columns
// are handled as chunks of N. A block of sensitivities holds, chunk after chunk, a row-major
// (state, N) array padded with zero columns; with N known at compile time the dual seeding, the
// stage sums and the linear solves (all N columns at once) are fixed loops that vectorise.
template <std::size_t N>
class ForwardSensitivities final : public IntegrationObserver {
public:
    using D = numerics::Dual<N>;
    using Block = std::vector<double>;
    static constexpr std::size_t kChunkSize = kNumStates * N;

    ForwardSensitivities(const SimulationRequest& req, const std::vector<SensitivityColumn>& cols,
                         SensitivityTrajectory& out)
        : req_(req),
          cols_(cols),
          m_(cols.size()),
          out_(out),
          sys_(apply_covariates(req.params, req.patient)) {
        const std::size_t chunks = (m_ + N - 1) / N;
        for (Block* block : {&s_, &s_old_, &stage_, &phi_old_, &phi_new_})
            block->assign(chunks * kChunkSize, 0.0);
        for (Block& u : u_) u.assign(chunks * kChunkSize, 0.0);
        out_.columns = m_;
        out_.stats.chunk_width = N;
        out_.s.assign(req.t_out.size() * kNumStates * m_, 0.0);
        out_.effective.assign(kNumParams * m_, 0.0);
        out_.baseline.assign(kNumStates * m_, 0.0);

        for (std::size_t first = 0; first < m_; first += N) {
            Chunk ch;
            ch.first = first;
            ch.count = std::min(N, m_ - first);
            ParamArray<D> nominal;
            for (std::size_t k = 0; k < kNumParams; ++k) nominal[k] = D(req.params[k]);
            for (std::size_t j = 0; j < ch.count; ++j)
                if (cols_[first + j].kind == SensitivityColumn::Kind::parameter)
                    nominal[cols_[first + j].index].d[j] = 1.0;
            ch.q = apply_covariates(nominal, req.patient);
            ch.d = derived_constants(ch.q);
            unseed(ch, baseline_state(ch.q, ch.d), s_);
            for (std::size_t k = 0; k < kNumParams; ++k)
                for (std::size_t j = 0; j < ch.count; ++j)
                    out_.effective[k * m_ + first + j] = ch.q[k].d[j];
            chunks_.push_back(ch);
        }
        store(s_, out_.baseline.data());
    }

    void jump(std::size_t k, double t, const State& y_before, const State& y_after) override {
        append(out_.pre_session, s_);
        const Session& session = req_.sessions[k];
        // A column day[k] enters the jump as d y-/d t_k = f(y-, t_k) and leaves it less the right
        // vector field f(y+, t_k) (see the top of this file).
        std::size_t day_column = m_;
        for (std::size_t c = 0; c < m_; ++c)
            if (cols_[c].kind == SensitivityColumn::Kind::day && cols_[c].index == k)
                day_column = c;
        State f_right{};
        if (day_column < m_) {
            State f_left;
            sys_(y_before, f_left, t);
            sys_(y_after, f_right, t);
            set_column(s_, day_column, f_left);
        }
        for (const Chunk& ch : chunks_) {
            D depth(session.depth_mm);
            for (std::size_t j = 0; j < ch.count; ++j)
                if (cols_[ch.first + j].kind == SensitivityColumn::Kind::depth &&
                    cols_[ch.first + j].index == k)
                    depth.d[j] = 1.0;
            const D diameter =
                std::isnan(session.needle_diameter_mm) ? ch.q[p_w] : D(session.needle_diameter_mm);
            const Dose<D> dose = session_dose<D>(depth, D(session.density_per_cm2), diameter,
                                                 D(session.dose_scale), ch.q);
            seed(ch, y_before, s_, z_);
            unseed(ch, apply_session(z_, ch.q, dose), s_);
        }
        if (day_column < m_) {
            for (std::size_t i = 0; i < kNumStates; ++i) f_right[i] = -f_right[i];
            add_to_column(s_, day_column, f_right);
        }
        append(out_.post_session, s_);
        have_step_ = false;  // outputs on the session day report the post-jump sensitivities
        phi_valid_ = false;
    }

    void step(double t0, const State& y0, double t1, const State& y1,
              const DenseState& dense) override {
        ++out_.stats.steps;
        const double h = t1 - t0;
        // T = df/dy at the end of the step (a W-method may take any T). With the method stiffly
        // accurate, that choice gives S' at the end of the step without another evaluation.
        State dfdt;
        sys_.jacobian(y1, t1, jac_, dfdt);
        ++out_.stats.jacobian_evaluations;
        ++out_.stats.lu_decompositions;
        if (!lu_.compute(jac_.data(), 1.0 / (Method::gamma * h)))
            throw SolverError("sensitivities: singular iteration matrix at t=" + format_time(t0) +
                              " d (step " + format_time(h) + " d)");
        // S' at the start of the step is S' at the end of the previous one unless the state
        // was clipped or a session intervened.
        if (phi_valid_ && y0 == phi_y_)
            std::swap(phi_old_, phi_new_);
        else
            derivative(t0, y0, s_, phi_old_);

        std::copy(phi_old_.begin(), phi_old_.end(), u_[0].begin());
        solve(u_[0]);
        State y_stage;
        for (std::size_t st = 1; st < kStages; ++st) {
            // S at the stage, then (W - T) u = S'(stage) + (1/h) sum_j cc_j u_j.
            combine(stage_, &s_, kA[st], st);
            const bool at_end = kStageTime[st] == 1.0;
            const double ts = at_end ? t1 : t0 + kStageTime[st] * h;
            if (at_end)
                y_stage = y1;
            else
                dense.at(ts, y_stage);
            derivative(ts, y_stage, stage_, u_[st]);
            combine(u_[st], &u_[st], kCC[st], st, 1.0 / h);
            solve(u_[st]);
        }
        std::swap(s_old_, s_);
        combine(s_, &s_old_, kM, kStages);
        // S_new = S(last stage) + u_last at t1, and S' is affine in S with matrix T = df/dy(y1):
        // S'(t1, S_new) = S'(last stage) + T u_last, where the last stage equation
        // (I/(gamma h) - T) u_last = S'(last stage) + (1/h) sum_j cc_j u_j gives T u_last.
        static_assert(kM[kStages - 1] == 1.0 && kStageTime[kStages - 1] == 1.0,
                      "the last stage must end the step (stiffly accurate)");
        std::array<double, kStages> end{};
        for (std::size_t j = 0; j + 1 < kStages; ++j) end[j] = -kCC[kStages - 1][j];
        end[kStages - 1] = 1.0 / Method::gamma;
        combine(phi_new_, nullptr, end, kStages, 1.0 / h);
        phi_y_ = y1;
        phi_valid_ = true;
        have_step_ = true;
        t_old_ = t0;
        t_new_ = t1;
    }

    void output(std::size_t index, double t, const State&) override {
        double* row = out_.s.data() + index * kNumStates * m_;
        if (!have_step_ || !(t > t_old_ && t < t_new_)) {
            store(s_, row);
            return;
        }
        // Cubic Hermite interpolation with S and S' at both ends: third order, like the dense
        // output of the state method.
        const double h = t_new_ - t_old_;
        const double th = (t - t_old_) / h;
        const double th2 = th * th, th3 = th2 * th;
        const double h00 = 2 * th3 - 3 * th2 + 1, h10 = (th3 - 2 * th2 + th) * h;
        const double h01 = -2 * th3 + 3 * th2, h11 = (th3 - th2) * h;
        for (std::size_t x = 0; x < stage_.size(); ++x)
            stage_[x] = h00 * s_old_[x] + h10 * phi_old_[x] + h01 * s_[x] + h11 * phi_new_[x];
        store(stage_, row);
    }

private:
    struct Chunk {
        std::size_t first = 0, count = 0;
        ParamArray<D> q;  // effective parameters with their derivatives
        Derived<D> d;
        std::size_t offset() const { return (first / N) * kChunkSize; }
    };

    // out = base + scale * sum_{j < count} coef[j] u_j in one pass (out may be base; a null base
    // counts as zero).
    void combine(Block& out, const Block* base, const std::array<double, kStages>& coef,
                 std::size_t count, double scale = 1.0) const {
        std::array<double, kStages> c{};
        for (std::size_t j = 0; j < count; ++j) c[j] = scale * coef[j];
        switch (count) {
            case 1:
                combine_n<1>(out, base, c);
                break;
            case 2:
                combine_n<2>(out, base, c);
                break;
            case 3:
                combine_n<3>(out, base, c);
                break;
            default:
                combine_n<4>(out, base, c);
        }
    }
    template <std::size_t Count>
    void combine_n(Block& out, const Block* base, const std::array<double, kStages>& c) const {
        if (base == nullptr)
            combine_loop<Count>(
                out, [](std::size_t) { return 0.0; }, c);
        else if (base == &out)
            combine_loop<Count>(
                out, [o = out.data()](std::size_t x) { return o[x]; }, c);
        else
            combine_loop<Count>(
                out, [b = base->data()](std::size_t x) { return b[x]; }, c);
    }
    template <std::size_t Count, class Base>
    void combine_loop(Block& out, Base base, const std::array<double, kStages>& c) const {
        // Raw pointers: through the vectors the compiler must assume that the stores move them,
        // and neither hoists the loads nor vectorises the loop.
        const double* u0 = u_[0].data();
        const double* u1 = u_[1].data();
        const double* u2 = u_[2].data();
        const double* u3 = u_[3].data();
        const double c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
        double* o = out.data();
        for (std::size_t x = 0; x < out.size(); ++x) {
            double v = base(x) + c0 * u0[x];
            if constexpr (Count > 1) v += c1 * u1[x];
            if constexpr (Count > 2) v += c2 * u2[x];
            if constexpr (Count > 3) v += c3 * u3[x];
            o[x] = v;
        }
    }

    void solve(Block& u) const {
        for (const Chunk& ch : chunks_) lu_.template solve_columns<N>(u.data() + ch.offset());
    }

    // The states as dual numbers whose derivatives are the chunk's sensitivity columns.
    static void seed(const Chunk& ch, const State& y, const Block& s, StateArray<D>& z) {
        const double* src = s.data() + ch.offset();
        for (std::size_t i = 0; i < kNumStates; ++i) {
            z[i].v = y[i];
            for (std::size_t j = 0; j < N; ++j) z[i].d[j] = src[i * N + j];
        }
    }
    // The chunk's columns of a block from the derivatives of dual numbers.
    static void unseed(const Chunk& ch, const StateArray<D>& z, Block& s) {
        double* dst = s.data() + ch.offset();
        // Padding columns stay zero: their seeds are zero.
        for (std::size_t i = 0; i < kNumStates; ++i)
            for (std::size_t j = 0; j < N; ++j) dst[i * N + j] = z[i].d[j];
    }

    // phi = S' = (df/dy) S + df/dp at (t, y): the directional derivatives of rhs<T>.
    void derivative(double t, const State& y, const Block& s, Block& phi) {
        for (const Chunk& ch : chunks_) {
            seed(ch, y, s, z_);
            rhs(z_, ch.q, ch.d, t, f_);
            ++out_.stats.derivative_evaluations;
            unseed(ch, f_, phi);
        }
    }

    // Column c of a block set to v, or v added to it.
    void set_column(Block& block, std::size_t c, const State& v) const {
        const std::size_t base = (c / N) * kChunkSize + c % N;
        for (std::size_t i = 0; i < kNumStates; ++i) block[base + i * N] = v[i];
    }
    void add_to_column(Block& block, std::size_t c, const State& v) const {
        const std::size_t base = (c / N) * kChunkSize + c % N;
        for (std::size_t i = 0; i < kNumStates; ++i) block[base + i * N] += v[i];
    }

    // Block -> (state, column) rows of the m true columns.
    void store(const Block& block, double* dst) const {
        for (const Chunk& ch : chunks_)
            for (std::size_t i = 0; i < kNumStates; ++i)
                for (std::size_t j = 0; j < ch.count; ++j)
                    dst[i * m_ + ch.first + j] = block[ch.offset() + i * N + j];
    }
    void append(std::vector<double>& dst, const Block& block) const {
        const std::size_t at = dst.size();
        dst.resize(at + kNumStates * m_);
        store(block, dst.data() + at);
    }

    const SimulationRequest& req_;
    const std::vector<SensitivityColumn>& cols_;
    std::size_t m_;
    SensitivityTrajectory& out_;
    Mn14System sys_;
    std::vector<Chunk> chunks_;
    Jacobian jac_;
    LU lu_;
    Block s_, s_old_, stage_, phi_old_, phi_new_;
    std::array<Block, kStages> u_;
    StateArray<D> z_, f_;  // dual-number scratch, kept to avoid zero-filling it every stage
    State phi_y_{};
    bool phi_valid_ = false;
    bool have_step_ = false;
    double t_old_ = 0.0, t_new_ = 0.0;
};

template <std::size_t N>
void run(const SimulationRequest& req, const std::vector<SensitivityColumn>& cols,
         SensitivityTrajectory& out) {
    ForwardSensitivities<N> observer(req, cols, out);
    out.trajectory = simulate(req, observer);
}

}  // namespace

SensitivityTrajectory simulate_sensitivities(const SimulationRequest& req,
                                             const std::vector<SensitivityColumn>& cols) {
    for (const SensitivityColumn& c : cols) {
        if (c.kind == SensitivityColumn::Kind::parameter && c.index >= kNumParams)
            throw InvalidInput("sensitivity column: parameter index " + std::to_string(c.index) +
                               " out of range");
        if (c.kind == SensitivityColumn::Kind::depth && c.index >= req.sessions.size())
            throw InvalidInput("sensitivity column: depth_mm[" + std::to_string(c.index) +
                               "] but the plan has " + std::to_string(req.sessions.size()) +
                               " sessions");
        if (c.kind == SensitivityColumn::Kind::day && c.index >= req.sessions.size())
            throw InvalidInput("sensitivity column: day[" + std::to_string(c.index) +
                               "] but the plan has " + std::to_string(req.sessions.size()) +
                               " sessions");
    }
    SensitivityTrajectory out;
    if (cols.empty()) {
        out.trajectory = simulate(req);
        return out;
    }
    // The dual width follows the number of columns (the cost of a dual evaluation grows with
    // it); beyond 16 columns the work is split into chunks of 16.
    const std::size_t m = cols.size();
    if (m <= 1)
        run<1>(req, cols, out);
    else if (m <= 2)
        run<2>(req, cols, out);
    else if (m <= 4)
        run<4>(req, cols, out);
    else if (m <= 6)
        run<6>(req, cols, out);
    else if (m <= 8)
        run<8>(req, cols, out);
    else if (m <= 10)
        run<10>(req, cols, out);
    else if (m <= 12)
        run<12>(req, cols, out);
    else
        run<16>(req, cols, out);
    return out;
}

}  // namespace skinremodel
