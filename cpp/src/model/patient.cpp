#include "skinremodel/model/patient.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "skinremodel/errors.hpp"
#include "skinremodel/model/limits.hpp"

namespace skinremodel {

void check_patient(const Patient& patient) {
    check_limit(model_limit(limit_age), patient.age, "patient age");
    check_limit(model_limit(limit_phototype), patient.phototype, "patient phototype");
}

PatientRow patient_row(const Patient& p) {
    return {p.age,
            static_cast<double>(p.diabetes),
            static_cast<double>(p.vitamin_c),
            static_cast<double>(p.phototype),
            p.smoker ? 1.0 : 0.0,
            p.photoaged ? 1.0 : 0.0,
            p.reactive_skin ? 1.0 : 0.0,
            p.acne_scars ? 1.0 : 0.0};
}

namespace {

// The integer code in column c of a row, in [0, hi]; throws naming the column.
int code(const double* row, std::size_t c, int hi, std::string_view where) {
    const double x = row[c];
    if (!(x >= 0 && x <= hi && x == std::floor(x))) {
        char value[32];
        std::snprintf(value, sizeof value, "%g", x);
        throw InvalidInput(std::string(where) + ": " + std::string(kPatientColumns[c]) +
                           " code must be an integer in [0, " + std::to_string(hi) + "], got " +
                           value);
    }
    return static_cast<int>(x);
}

}  // namespace

Patient patient_from_row(const double* row, std::string_view where) {
    const std::string prefix(where);
    Patient p;
    check_limit(model_limit(limit_age), row[0], prefix + ": age");
    p.age = row[0];
    p.diabetes = static_cast<Diabetes>(code(row, 1, int(kDiabetesNames.size()) - 1, where));
    p.vitamin_c = static_cast<VitaminC>(code(row, 2, int(kVitaminCNames.size()) - 1, where));
    check_limit(model_limit(limit_phototype), row[3], prefix + ": phototype");
    p.phototype = static_cast<int>(row[3]);
    p.smoker = code(row, 4, 1, where) == 1;
    p.photoaged = code(row, 5, 1, where) == 1;
    p.reactive_skin = code(row, 6, 1, where) == 1;
    p.acne_scars = code(row, 7, 1, where) == 1;
    return p;
}

}  // namespace skinremodel
