// State layout of the MN-14 model (revision 2): 15 tissue-averaged quantities of the treated dermal
// layer. Revision 2 added the fibrillar, not yet cross-linked collagen pool Cf between the newly
// deposited collagen (C3, C1) and the mature cross-linked pool Cm (docs/model.md).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace skinremodel {

inline constexpr std::size_t kNumStates = 15;

// Indices into a state vector. Structural quantities are normalised to the patient's own
// pre-treatment value; inflammatory cells and the growth-factor signal are excess over homeostasis.
enum StateIndex : std::size_t {
    iD = 0,  // damage / DAMP signal (a reference session adds 1)
    iN,      // neutrophils (excess)
    iM1,     // pro-inflammatory macrophages (excess)
    iM2,     // reparative macrophages (excess)
    iT,      // active growth-factor signal, units of its half-saturation constant
    iF,      // fibroblasts, x baseline density
    iMf,     // myofibroblasts, x baseline fibroblast density
    iP,      // net collagenolytic MMP activity, x baseline
    iC3,     // immature collagen III, x baseline total collagen
    iC1,     // immature collagen I, x baseline total collagen
    iCf,     // fibrillar collagen, assembled but not yet cross-linked, x baseline total collagen
    iCm,     // mature cross-linked, organised collagen, x baseline total collagen
    iEt,     // soluble tropoelastin, x baseline mature elastin
    iE,      // mature crosslinked elastin, x baseline
    iR,      // erythema (redness), dimensionless
};

template <class T>
using StateArray = std::array<T, kNumStates>;
using State = StateArray<double>;

inline constexpr std::array<std::string_view, kNumStates> kStateNames = {
    "D", "N", "M1", "M2", "T", "F", "Mf", "P", "C3", "C1", "Cf", "Cm", "Et", "E", "R"};

}  // namespace skinremodel
