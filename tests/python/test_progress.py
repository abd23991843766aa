"""Progress bars (issue 16): shown in a terminal, silent when disabled or not in a terminal."""

from __future__ import annotations

import fcntl
import logging
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import textwrap

import pytest
import skinremodel as sr
from skinremodel import progress

POPULATION = textwrap.dedent("""
    import skinremodel as sr
    pop = sr.Population(120, variability={"s_w": 0.2}, seed=3)
    bands = pop.simulate(sr.Schedule.regular(2, every_weeks=4), days=40, chunk_size=30{extra})
    print("done", len(bands))
""")


def _run_in_terminal(code: str, env_extra: dict[str, str] | None = None) -> str:
    """Run code in a subprocess whose stdout and stderr are a pseudo-terminal; return output."""
    master, slave = pty.openpty()
    # A real terminal has a size; a fresh pseudo-terminal is 0 x 0 (tqdm would print nothing).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "SKINREMODEL_PROGRESS"}
    env.update(env_extra or {})
    env["COLUMNS"] = "100"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def test_population_shows_a_bar_in_a_terminal():
    out = _run_in_terminal(POPULATION.replace("{extra}", ""))
    assert "done" in out
    assert "population of 120" in out
    assert "120/120" in out  # the bar reached the end
    assert "item" in out


def test_bar_is_silent_when_disabled_per_call_or_by_environment():
    out = _run_in_terminal(POPULATION.replace("{extra}", ", progress=False"))
    assert "done" in out and "120/120" not in out and "population of" not in out
    out = _run_in_terminal(POPULATION.replace("{extra}", ""), {"SKINREMODEL_PROGRESS": "0"})
    assert "done" in out and "120/120" not in out


def test_global_switch_in_a_terminal():
    code = "import skinremodel as sr\nsr.progress.set_progress(False)\n" + POPULATION.replace(
        "{extra}", ""
    )
    out = _run_in_terminal(code)
    assert "done" in out and "120/120" not in out


def test_quiet_by_default_when_not_a_terminal():
    code = POPULATION.replace("{extra}", "")
    env = {k: v for k, v in os.environ.items() if k != "SKINREMODEL_PROGRESS"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "done" in out.stdout
    assert out.stderr == ""


def test_progress_true_writes_to_stderr(capsys):
    plan = sr.Schedule.regular(2, every_weeks=4)
    sr.simulate_many(
        plan, [sr.Patient(age=a) for a in (30, 40, 50)], days=20, chunk_size=1, progress=True
    )
    err = capsys.readouterr().err
    assert "simulate_many" in err and "3/3" in err
    sr.simulate_many(
        plan, [sr.Patient(age=a) for a in (30, 40, 50)], days=20, chunk_size=1, progress=False
    )
    assert capsys.readouterr().err == ""


def test_setting_and_argument_validation(monkeypatch):
    monkeypatch.setenv("SKINREMODEL_PROGRESS", "1")
    assert progress.progress_enabled() is True
    try:
        progress.set_progress(False)
        assert progress.progress_enabled() is False
        assert progress.progress_enabled(True) is True
    finally:
        progress.set_progress(None)
    monkeypatch.setenv("SKINREMODEL_PROGRESS", "0")
    assert progress.progress_enabled() is False
    with pytest.raises(TypeError, match="progress must be True, False or None"):
        progress.progress_enabled("yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        progress.set_progress(1)  # type: ignore[arg-type]


def test_logging_reports_batches(caplog):
    with caplog.at_level(logging.INFO, logger="skinremodel"):
        sr.simulate_many(sr.Schedule([0]), sr.Patient(), days=10, progress=False)
    assert any("simulate_many: 1 items in 1 chunks" in r.getMessage() for r in caplog.records)


def test_multistart_fit_and_profiles_show_bars(capsys, caplog):
    import pandas as pd

    plan = sr.Schedule.regular(3, every_days=30)
    truth = sr.simulate(plan, days=120, params={"s_w": 0.05}, t_eval=[45, 90, 120])
    obs = pd.DataFrame(
        {
            "subject": "A",
            "day": truth.t,
            "observable": "total_collagen",
            "value": truth["total_collagen"],
            "sd": 0.01,
        }
    )
    with caplog.at_level(logging.INFO, logger="skinremodel"):
        sr.fit(obs, plan, parameters=["s_w"], n_starts=2, profile=["s_w"], progress=True)
    err = capsys.readouterr().err
    assert "fit: starts" in err and "2/2" in err
    assert "fit: profiles" in err and "1/1" in err
    assert any(r.getMessage().startswith("fit: start 1: nll") for r in caplog.records)
    sr.fit(obs, plan, parameters=["s_w"], n_starts=2, profile=["s_w"], progress=False)
    assert capsys.readouterr().err == ""
