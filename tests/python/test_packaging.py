"""Packaging facts that a user relies on: declared dependencies, one version, license, CMake."""

import ast
import re
import shutil
import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import pytest
import skinremodel as sr
from skinremodel import _core
from skinremodel.cli import main

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# import name -> distribution name where they differ
_DIST = {"dateutil": "python-dateutil", "tomli_w": "tomli-w"}


def _dist(requirement):
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def _module_level_imports(path):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def _all_imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def _undeclared(imports, declared):
    undeclared = {}
    for path in sorted((ROOT / "python" / "skinremodel").rglob("*.py")):
        for top in imports(path):
            if top in sys.stdlib_module_names or top in ("skinremodel", "__future__"):
                continue
            if _DIST.get(top, top).lower().replace("_", "-") not in declared:
                undeclared.setdefault(top, []).append(path.name)
    return undeclared


def test_every_module_level_import_is_a_declared_runtime_dependency():
    declared = {_dist(r) for r in PYPROJECT["project"]["dependencies"]}
    assert _undeclared(_module_level_imports, declared) == {}


def test_every_import_inside_a_function_is_declared_too():
    # A deferred import is still a runtime import: declared as a dependency, or (when the code
    # falls back without it) in an optional extra.
    runtime = {_dist(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = PYPROJECT["project"]["optional-dependencies"]
    optional = {_dist(r) for name in ("notebook", "dask", "inference") for r in extras[name]}
    assert _undeclared(_all_imports, runtime | optional) == {}


def test_optional_dask_is_never_imported_by_the_package():
    for path in (ROOT / "python" / "skinremodel").rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+(dask|distributed)\b", path.read_text(), re.M)
    assert "dask" in PYPROJECT["project"]["optional-dependencies"]


def test_version_is_defined_once_and_read_by_python_cmake_and_the_cli(capsys):
    source = (ROOT / "python" / "skinremodel" / "_version.py").read_text()
    version = re.search(r'^__version__ = "([^"]+)"', source, re.M).group(1)
    assert sr.__version__ == version
    assert _core.__version__ == version  # compiled in by CMake from the same file
    assert "version" in PYPROJECT["project"]["dynamic"]
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"skinremodel {version}"
    assert f"## {version.split('.dev')[0]}" in (ROOT / "CHANGELOG.md").read_text()


def test_license_file_matches_the_declared_license():
    assert PYPROJECT["project"]["license"]["text"] == "BSD-3-Clause"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text


def test_wheel_builds_set_no_cpu_specific_flags():
    # Portable wheels: nothing like -march=native or -mavx2 in the build files.
    files = [
        ROOT / "CMakeLists.txt",
        ROOT / "pyproject.toml",
        *(ROOT / "cpp").rglob("CMakeLists.txt"),
        *(ROOT / "cmake").glob("*.cmake"),
    ]
    for path in files:
        assert not re.search(r"-march=|-mtune=|-mavx|-msse|/arch:", path.read_text()), path


def _configure(tmp_path, *args):
    cmake = shutil.which("cmake")
    assert cmake, "cmake is installed by scripts/setup.sh"
    return subprocess.run(
        [
            cmake,
            "-S",
            str(ROOT),
            "-B",
            str(tmp_path / "build"),
            "-DSKINREMODEL_BUILD_TESTS=OFF",
            "-DSKINREMODEL_BUILD_PYTHON=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}",
            "-DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON",
            "-DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON",
            *args,
        ],
        capture_output=True,
        text=True,
    )


def test_cmake_uses_the_pypi_headers_without_system_eigen_and_boost(tmp_path):
    out = _configure(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Eigen >= 3.3: headers of the Python package eigency" in out.stdout
    assert "Boost >= 1.70: headers of the Python package boost-headers" in out.stdout


def test_cmake_stops_with_one_clear_message_when_no_headers_are_found(tmp_path):
    out = _configure(tmp_path, "-DSKINREMODEL_PYPI_HEADERS=OFF")
    assert out.returncode != 0
    assert out.stderr.count("CMake Error") == 1, out.stderr
    message = " ".join(out.stderr.split())
    assert "needs the header-only C++ libraries Eigen >= 3.3 and Boost >= 1.70" in message
    assert "pip install eigency boost-headers" in message
    assert "sudo apt-get install libeigen3-dev libboost-dev" in message
