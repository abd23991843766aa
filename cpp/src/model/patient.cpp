#include "skinremodel/model/patient.hpp"

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
    const Limit codes{kPatientColumns[c], 0.0, static_cast<double>(hi), true, true, true, "", ""};
    check_limit(codes, row[c], [&] {
        return std::string(where) + ": " + std::string(kPatientColumns[c]) + " code";
    });
    return static_cast<int>(row[c]);
}

}  // namespace

Patient patient_from_row(const double* row, std::string_view where) {
    const auto field = [where](const char* name) {
        return [where, name] { return std::string(where) + ": " + name; };
    };
    Patient p;
    check_limit(model_limit(limit_age), row[0], field("age"));
    p.age = row[0];
    p.diabetes = static_cast<Diabetes>(code(row, 1, int(kDiabetesNames.size()) - 1, where));
    p.vitamin_c = static_cast<VitaminC>(code(row, 2, int(kVitaminCNames.size()) - 1, where));
    check_limit(model_limit(limit_phototype), row[3], field("phototype"));
    p.phototype = static_cast<int>(row[3]);
    p.smoker = code(row, 4, 1, where) == 1;
    p.photoaged = code(row, 5, 1, where) == 1;
    p.reactive_skin = code(row, 6, 1, where) == 1;
    p.acne_scars = code(row, 7, 1, where) == 1;
    return p;
}

}  // namespace skinremodel
