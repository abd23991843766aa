// The visible improvement G (docs/model.md, "Observables"): the structural gain an observer sees,
//   G = g_scale (Cm + g_imm C3 + g_imm C1 + g_imm Cf + g_E E) - (the same at the baseline).
// It is linear in the states. This table is its one definition: the threshold event of
// simulation/thresholds.hpp reads it, and the Python observable reads it through
// skinremodel._core.visible_improvement(), summing the terms in this order so that both give the
// same bits.
#pragma once

#include <array>
#include <cstddef>

#include "skinremodel/model/parameters.hpp"
#include "skinremodel/model/state.hpp"

namespace skinremodel {

// One term: y[state], times the parameter factor unless factor is kNoFactor.
struct VisibleTerm {
    std::size_t state;
    std::size_t factor;
};

inline constexpr std::size_t kNoFactor = kNumParams;
inline constexpr std::size_t kVisibleScale = p_g_scale;
inline constexpr std::array<VisibleTerm, 5> kVisibleTerms = {{
    {iCm, kNoFactor},
    {iC3, p_g_imm},
    {iC1, p_g_imm},
    {iCf, p_g_imm},
    {iE, p_g_E},
}};

// g_scale times the sum of the terms, in the order of the table (G is this at y less this at the
// baseline).
template <class T>
T visible_terms(const StateArray<T>& y, const ParamArray<T>& p) {
    T sum = T(0.0);
    for (std::size_t k = 0; k < kVisibleTerms.size(); ++k) {
        const VisibleTerm& term = kVisibleTerms[k];
        const T value = term.factor == kNoFactor ? y[term.state] : p[term.factor] * y[term.state];
        sum = k == 0 ? value : sum + value;
    }
    return p[kVisibleScale] * sum;
}

// The weights w of G = w . y - c: g_scale times the term's factor, for each state of a term.
inline State visible_weights(const Params& p) {
    State w{};
    for (const VisibleTerm& term : kVisibleTerms)
        w[term.state] +=
            term.factor == kNoFactor ? p[kVisibleScale] : p[kVisibleScale] * p[term.factor];
    return w;
}

}  // namespace skinremodel
