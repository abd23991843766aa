// Threshold events of a simulation: linear functions of the state whose sign changes (crossings)
// the driver locates on the dense output. The model's events (the thresholds of docs/model.md),
// their names and the summary of their crossings are in simulation/thresholds.hpp.
#pragma once

#include <array>
#include <cstddef>

#include "skinremodel/model/state.hpp"

namespace skinremodel {

// A threshold on a linear combination of states: g(y) = weights . y - level.
struct LinearEvent {
    State weights{};
    double level = 0.0;
};

// A change of sign of g, located by bisection on the dense output (or at a session jump).
struct Crossing {
    std::size_t event = 0;
    double time = 0.0;
    int direction = 0;        // +1 upward, -1 downward
    bool at_session = false;  // caused by a session jump rather than by the flow
};

// An event's weights without the zeros: thresholds involve one to five of the 15 states, and
// events are evaluated several times in every step. Its index, weight and size members are the
// "functional" a stepper's scalar projection of its dense output takes.
struct SparseEvent {
    std::array<std::size_t, kNumStates> index{};
    std::array<double, kNumStates> weight{};
    std::size_t size = 0;
    double level = 0.0;

    explicit SparseEvent(const LinearEvent& e) : level(e.level) {
        for (std::size_t i = 0; i < kNumStates; ++i)
            if (e.weights[i] != 0.0) {
                index[size] = i;
                weight[size++] = e.weights[i];
            }
    }
};

// True if a and b weigh the same states alike (they may differ in level).
inline bool same_combination(const SparseEvent& a, const SparseEvent& b) {
    if (a.size != b.size) return false;
    for (std::size_t k = 0; k < a.size; ++k)
        if (a.index[k] != b.index[k] || a.weight[k] != b.weight[k]) return false;
    return true;
}

// g(y) of an event.
inline double event_value(const SparseEvent& e, const State& y) {
    double g = -e.level;
    for (std::size_t k = 0; k < e.size; ++k) g += e.weight[k] * y[e.index[k]];
    return g;
}

}  // namespace skinremodel
