# The engine's header-only dependencies: Eigen (>= 3.3) and Boost (>= 1.70, for odeint).
#
# Looked up in this order:
#   1. the system's packages through their CMake config files (Debian: libeigen3-dev,
#      libboost-dev; Homebrew, conda, vcpkg alike; or -DEigen3_DIR=/-DBoost_DIR=);
#   2. the headers shipped on PyPI by the Python packages `eigency` (Eigen) and `boost-headers`
#      (Boost), found through the Python interpreter of the build. pyproject.toml lists both as
#      build requirements, so `pip install .` and the sdist build with only a C++ compiler;
#   3. otherwise configuration stops with one message naming what is missing and how to install it.
# Defines the targets Eigen3::Eigen and Boost::headers either way.

option(SKINREMODEL_PYPI_HEADERS
  "Fall back to the Eigen/Boost headers of the Python packages eigency and boost-headers" ON)

find_package(Eigen3 3.3 QUIET NO_MODULE)
find_package(Boost 1.70 QUIET CONFIG)

# Ask the build's Python where a package's header directory is (without importing it; the
# distribution name, e.g. boost-headers, is turned into the import name boost_headers).
function(_skinremodel_python_headers package subdir probe out_var)
  set(${out_var} "" PARENT_SCOPE)
  if(NOT SKINREMODEL_PYPI_HEADERS)
    return()
  endif()
  if(DEFINED Python_EXECUTABLE)
    set(_py "${Python_EXECUTABLE}")
  else()
    find_package(Python3 QUIET COMPONENTS Interpreter)
    set(_py "${Python3_EXECUTABLE}")
  endif()
  if(NOT _py)
    return()
  endif()
  execute_process(
    COMMAND "${_py}" -c "import importlib.util, pathlib, sys
s = importlib.util.find_spec(sys.argv[1].replace('-', '_'))
d = pathlib.Path(list(s.submodule_search_locations)[0], sys.argv[2]) if s else None
print(d.as_posix() if d and (d / sys.argv[3]).is_file() else '', end='')"
      "${package}" "${subdir}" "${probe}"
    OUTPUT_VARIABLE _dir RESULT_VARIABLE _rc ERROR_QUIET)
  if(_rc EQUAL 0 AND _dir)
    set(${out_var} "${_dir}" PARENT_SCOPE)
  endif()
endfunction()

# Define `target` from the system package found above, else from the Python package's headers;
# otherwise add `what` to the list of missing libraries.
function(_skinremodel_header_target target what package subdir probe system_version)
  if(TARGET ${target})
    message(STATUS "${what}: system package ${system_version}")
    return()
  endif()
  _skinremodel_python_headers(${package} ${subdir} ${probe} _dir)
  if(_dir)
    add_library(${target} INTERFACE IMPORTED GLOBAL)
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_dir}")
    message(STATUS "${what}: headers of the Python package ${package} (${_dir})")
  else()
    set(_skinremodel_missing ${_skinremodel_missing} "${what}" PARENT_SCOPE)
  endif()
endfunction()

set(_skinremodel_missing "")
_skinremodel_header_target(Eigen3::Eigen "Eigen >= 3.3" eigency eigen "Eigen/Core"
                           "${Eigen3_VERSION}")
_skinremodel_header_target(Boost::headers "Boost >= 1.70" boost-headers include
                           "boost/version.hpp" "${Boost_VERSION}")

if(_skinremodel_missing)
  list(JOIN _skinremodel_missing " and " _what)
  message(FATAL_ERROR
    "skinremodel needs the header-only C++ libraries ${_what}, and found neither a system "
    "package nor the Python packages that ship them. Install one of:\n"
    "  Python (any OS):  pip install eigency boost-headers   (pip install . does this itself "
    "unless run with --no-build-isolation)\n"
    "  Debian/Ubuntu:    sudo apt-get install libeigen3-dev libboost-dev\n"
    "  macOS (Homebrew): brew install eigen boost\n"
    "or point CMake at them with -DEigen3_DIR=... / -DBoost_DIR=...")
endif()
