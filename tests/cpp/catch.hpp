// One include for Catch2 v2 (single header, Debian 12) and v3, with one spelling of Approx.
#pragma once
#ifdef SKINREMODEL_CATCH2_V3
#include <catch2/catch_all.hpp>
namespace catch_compat {
using Catch::Approx;
}
#else
#include <catch2/catch.hpp>
namespace catch_compat {
using Catch::Detail::Approx;
}
#endif
