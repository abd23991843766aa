"""The wheel as a user gets it: repaired to manylinux, installed without extras, no compiler.

The wheel is built from the same incremental CMake build as ``scripts/setup.sh``
(``build/<wheel tag>``, no build isolation), so this adds little build time. It is repaired with
``auditwheel`` and installed into a fresh virtual environment (no extras, binary packages only)
with every C/C++ compiler hidden, where every module of the package is imported and the README's
demo command runs. A module that imports an undeclared package fails here.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "skinremodel"
# Every module of every sub-package (a package is its __init__), and the compiled engine.
MODULES = sorted(
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py")
) + ["skinremodel._core"]
COMPILERS = (
    "cc",
    "c++",
    "gcc",
    "g++",
    "clang",
    "clang++",
    "x86_64-linux-gnu-gcc",
    "x86_64-linux-gnu-g++",
)

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.slow,
    pytest.mark.skipif(
        sys.platform != "linux" or platform.machine() != "x86_64",
        reason="the repaired-wheel test is for Linux x86_64 (what CI runs)",
    ),
]


def _run(cmd, **kwargs):
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    assert out.returncode == 0, f"{cmd}\n{out.stdout}\n{out.stderr}"
    return out


@pytest.fixture(scope="module")
def repaired_wheel(tmp_path_factory):
    raw, fixed = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("repaired")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-build-isolation",
            "--no-deps",
            "-q",
            "-w",
            raw,
            ROOT,
        ],
        env=env,
    )
    (wheel,) = raw.glob("skinremodel-*.whl")
    _run([sys.executable, "-m", "auditwheel", "repair", "-w", fixed, wheel], env=env)
    (repaired,) = fixed.glob("skinremodel-*.whl")
    return repaired


@pytest.fixture(scope="module")
def fresh_venv(repaired_wheel, tmp_path_factory):
    """A new venv with the repaired wheel and its runtime dependencies only; no compiler."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", venv])
    bin_dir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        PATH=str(bin_dir),
        CC="/nonexistent/cc",
        CXX="/nonexistent/c++",
        MPLBACKEND="Agg",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    for compiler in COMPILERS:
        assert shutil.which(compiler, path=env["PATH"]) is None, compiler
    _run(
        [bin_dir / "python", "-m", "pip", "install", "-q", "--only-binary=:all:", repaired_wheel],
        env=env,
    )
    return bin_dir, env


def test_wheel_is_repaired_to_a_manylinux_tag(repaired_wheel):
    assert re.search(r"-manylinux_2_\d+_x86_64", repaired_wheel.name), repaired_wheel.name
    show = _run([sys.executable, "-m", "auditwheel", "show", repaired_wheel])
    assert re.search(
        r'consistent with the following platform tag:\s*"manylinux_2_\d+_x86_64"',
        " ".join(show.stdout.split()),
    ), show.stdout


def test_every_file_of_the_package_is_in_the_wheel(repaired_wheel):
    # Modules of every sub-package and their data: templates, parameters, published data.
    with zipfile.ZipFile(repaired_wheel) as wheel:
        shipped = set(wheel.namelist())
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    missing = [
        p.relative_to(PACKAGE.parent).as_posix()
        for p in files
        if p.relative_to(PACKAGE.parent).as_posix() not in shipped
    ]
    assert missing == []
    assert "skinremodel/templates/repr/result.html.j2" in shipped


def test_every_module_imports_from_the_wheel_without_extras(fresh_venv):
    bin_dir, env = fresh_venv
    script = (
        "import importlib, json, sys\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module(name); out[name] = 'ok'\n"
        "    except Exception as exc:\n"
        "        out[name] = f'{type(exc).__name__}: {exc}'\n"
        "import importlib.util\n"
        "out['__file__'] = importlib.util.find_spec('skinremodel').origin\n"
        "out['extras'] = [m for m in ('dask', 'pytest') if importlib.util.find_spec(m)]\n"
        "print(json.dumps(out))\n"
    )
    result = json.loads(
        _run([bin_dir / "python", "-c", script, *MODULES], env=env, cwd=bin_dir).stdout
    )
    assert {m: result[m] for m in MODULES} == {m: "ok" for m in MODULES}
    assert result["__file__"].startswith(str(bin_dir.parent))  # the wheel, not the source tree
    assert result["extras"] == []


def test_console_script_version_and_demo_run_from_the_wheel(fresh_venv, tmp_path):
    bin_dir, env = fresh_venv
    version = re.search(r'__version__ = "([^"]+)"', (PACKAGE / "_version.py").read_text())[1]
    assert (
        _run([bin_dir / "skinremodel", "--version"], env=env).stdout.strip()
        == f"skinremodel {version}"
    )
    out = _run(
        [
            bin_dir / "skinremodel",
            "compare",
            "--patient",
            ROOT / "examples" / "patient_45.toml",
            "--png",
            "demo.png",
            "--out",
            "demo.html",
        ],
        env=env,
        cwd=tmp_path,
    )
    for column in (
        "Collagen change at 3 mo",
        "Collagen change at 12 mo",
        "Redness after 1st session",
        "SCREENING: No contraindication",
    ):
        assert column in out.stdout
    assert (tmp_path / "demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "demo.html").read_text().startswith("<!DOCTYPE html>")
    # The Jupyter views render their templates from the installed package too.
    view = _run(
        [
            bin_dir / "python",
            "-c",
            "import skinremodel as sr; print(sr.simulate([0, 28], days=60)._repr_html_())",
        ],
        env=env,
        cwd=tmp_path,
    )
    assert view.stdout.startswith("<p><b>skinremodel Result</b>")
