"""The style checks of scripts/test.sh, for a developer who runs only pytest.

The same three checks as the "Style" section of scripts/test.sh and as .pre-commit-config.yaml:
``ruff check``, ``ruff format --check`` (ruff at the version pinned in the ``test`` extra) and
``clang-format --dry-run --Werror`` (Debian's clang-format 14) over the C++ of cpp/, tests/cpp
and benchmarks/cpp, less the vendored Catch2 header. A missing tool (or another version) skips
its check; with SKINREMODEL_REQUIRE_STYLE_TOOLS=1, as scripts/test.sh sets, it fails instead.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
CXX_DIRS = ("cpp", "tests/cpp", "benchmarks/cpp")
CXX_SUFFIXES = {".cpp", ".hpp", ".h", ".inc"}
VENDORED = {Path("tests/cpp/catch.hpp")}
CLANG_FORMAT_MAJOR = "14"


def _unavailable(reason):
    if os.environ.get("SKINREMODEL_REQUIRE_STYLE_TOOLS") == "1":
        pytest.fail(f"{reason} (SKINREMODEL_REQUIRE_STYLE_TOOLS=1)")
    pytest.skip(reason)


def _pinned_ruff():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [d for d in extra["optional-dependencies"]["test"] if d.startswith("ruff==")]
    assert len(pins) == 1, "the test extra pins ruff once (ruff==X.Y.Z)"
    return pins[0].removeprefix("ruff==")


def _ruff():
    """The ruff of this interpreter's environment, at the pinned version."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "ruff", "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        _unavailable("ruff is not installed (pip install -e '.[test]')")
    version, pinned = out.split()[-1], _pinned_ruff()
    if version != pinned:
        _unavailable(f"ruff {version} installed, the test extra pins {pinned}")
    return [sys.executable, "-m", "ruff"]


def _clang_format():
    exe = shutil.which("clang-format")
    if exe is None:
        _unavailable("clang-format is not installed (Debian: apt-get install clang-format)")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    major = re.search(r"clang-format version (\d+)", out)
    if major is None or major.group(1) != CLANG_FORMAT_MAJOR:
        _unavailable(f"clang-format {CLANG_FORMAT_MAJOR} needed (Debian 12), found: {out.strip()}")
    return exe


def cxx_files(root):
    """The C++ files the style check reads, relative to ``root``."""
    return sorted(
        p.relative_to(root)
        for d in CXX_DIRS
        for p in (root / d).rglob("*")
        if p.is_file() and p.suffix in CXX_SUFFIXES and p.relative_to(root) not in VENDORED
    )


def _run(cmd, cwd, fix):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{proc.stdout}{proc.stderr}\nTo fix: {fix}"


def check_ruff_lint(root):
    _run(
        [*_ruff(), "check", "--no-cache", "."],
        root,
        "fix the findings (ruff check --fix . fixes some)",
    )


def check_ruff_format(root):
    _run([*_ruff(), "format", "--check", "--no-cache", "."], root, "ruff format .")


def check_clang_format(root):
    files = cxx_files(root)
    assert files, f"no C++ files under {', '.join(CXX_DIRS)}"
    _run(
        [_clang_format(), "--dry-run", "--Werror", *map(str, files)],
        root,
        "clang-format -i FILE... on the files named above",
    )


def test_ruff_lint():
    check_ruff_lint(ROOT)


def test_ruff_format():
    check_ruff_format(ROOT)


def test_clang_format():
    check_clang_format(ROOT)


def test_clang_format_reads_every_cpp_file_but_the_vendored_catch2():
    files = cxx_files(ROOT)
    assert Path("cpp/include/skinremodel/numerics/softplus_table.inc") in files
    assert Path("benchmarks/cpp/reference_problem.hpp") in files
    assert Path("tests/cpp/test_main.cpp") in files
    assert Path("tests/cpp/catch.hpp") not in files


# A planted error makes each check fail: each runs on a copy of the files it reads.
def _copy(tmp_path, names):
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def test_a_planted_lint_error_fails(tmp_path):
    root = _copy(tmp_path, ["pyproject.toml", "python/skinremodel/_version.py"])
    check_ruff_lint(root)
    with open(root / "python/skinremodel/_version.py", "a") as f:
        f.write("import os\n")  # F401 (and E402)
    with pytest.raises(AssertionError, match=r"F401[\s\S]*To fix"):
        check_ruff_lint(root)


def test_a_planted_formatting_error_fails(tmp_path):
    root = _copy(tmp_path, ["pyproject.toml", "python/skinremodel/_version.py"])
    check_ruff_format(root)
    path = root / "python/skinremodel/_version.py"
    path.write_text(path.read_text().replace("__version__ = ", "__version__  =  "))
    with pytest.raises(
        AssertionError, match=r"_version.py[\s\S]*would be reformatted[\s\S]*To fix: ruff format \."
    ):
        check_ruff_format(root)


def test_a_planted_cpp_formatting_error_fails(tmp_path):
    root = _copy(tmp_path, ["cpp/src/model/patient.cpp", ".clang-format"])
    check_clang_format(root)
    path = root / "cpp/src/model/patient.cpp"
    path.write_text(path.read_text().replace("namespace skinremodel", "namespace   skinremodel", 1))
    with pytest.raises(AssertionError, match=r"patient\.cpp[\s\S]*To fix: clang-format -i"):
        check_clang_format(root)
