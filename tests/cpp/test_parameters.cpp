#include <fstream>
#include <set>
#include <string>

#include "catch.hpp"
#include "skinremodel/errors.hpp"
#include "skinremodel/model/parameters.hpp"

using namespace skinremodel;

TEST_CASE("parameter names in C++ and in parameters.csv are the same set") {
    std::ifstream csv(SKINREMODEL_PARAMETERS_CSV);
    REQUIRE(csv.good());
    std::string line;
    std::getline(csv, line);  // header
    std::set<std::string> in_csv;
    while (std::getline(csv, line))
        if (!line.empty()) in_csv.insert(line.substr(0, line.find(',')));
    std::set<std::string> in_cpp;
    for (auto name : kParamNames) in_cpp.insert(std::string(name));
    CHECK(in_csv == in_cpp);
    CHECK(in_csv.size() == kNumParams);
}

TEST_CASE("default parameters carry the design values") {
    const Params& p = default_parameters();
    CHECK(p[p_k_D] == 1.0);
    CHECK(p[p_d_T] == 15.0);
    CHECK(p[p_r_F] == 0.924);
    CHECK(p[p_k_m] == 1.27e-4);
    CHECK(p[p_k_f] == 0.005);
    CHECK(p[p_tau_Er] == 90.0);
    CHECK(p[p_rho_ref] == 250.0);
    CHECK(p[p_cov_age_onset] == 28.0);
    CHECK_NOTHROW(check_parameters(p));
}

TEST_CASE("parameter lookup and validation name the offending parameter") {
    CHECK(parameter_index("k_mat") == p_k_mat);
    CHECK_THROWS_AS(parameter_index("k_matt"), InvalidInput);
    CHECK_THROWS_WITH(parameter_index("k_matt"), Catch::Matchers::Contains("k_matt"));
    Params p = default_parameters();
    p[p_s_w] = std::nan("");
    CHECK_THROWS_WITH(check_parameters(p), Catch::Matchers::Contains("s_w"));
    p[p_s_w] = -1.0;
    CHECK_THROWS_AS(check_parameters(p), InvalidInput);
}
