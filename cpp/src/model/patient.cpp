#include "skinremodel/model/patient.hpp"

#include <cmath>
#include <string>

#include "skinremodel/errors.hpp"

namespace skinremodel {

void check_patient(const Patient& patient) {
    if (!(std::isfinite(patient.age) && patient.age >= 18.0 && patient.age <= 100.0))
        throw InvalidInput("patient age must be in [18, 100] years, got " +
                           std::to_string(patient.age));
    if (patient.phototype < 1 || patient.phototype > 6)
        throw InvalidInput("patient phototype must be an integer in [1, 6], got " +
                           std::to_string(patient.phototype));
}

}  // namespace skinremodel
