"""Run a short tour of the public API on an extension built with ASan+UBSan (issue 12).

Usage (scripts/test.sh does this)::

    LD_PRELOAD=$(g++ -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 \
        python tools/sanitized_smoke.py build/asan-py/cpp/_core....so

The sanitized module is loaded in place of the installed one before ``skinremodel`` is
imported; any sanitizer report aborts the process with a non-zero status.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings


def main(path: str) -> None:
    """Load the sanitized extension at ``path`` as skinremodel._core, then tour the API on it."""
    spec = importlib.util.spec_from_file_location("skinremodel._core", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["skinremodel._core"] = module
    spec.loader.exec_module(module)

    import pickle
    import tempfile
    from pathlib import Path

    import numpy as np
    import skinremodel as sr

    assert sr._core is module
    warnings.simplefilter("ignore", sr.ScheduleWarning)
    core = sr._core
    assert len(core.limits()) > 10 and core.method_names() and core.event_names()
    plan = sr.Schedule.regular(4, every_weeks=4)
    for method in ("rodas5p", "rodas4", "dopri5"):
        res = sr.simulate(
            plan,
            sr.Patient(age=60, smoker=True),
            days=400,
            options=sr.SolverOptions(method=method, max_step=30.0),
            sensitivities=["k_mat", "depth_mm[1]", "day[2]"],
        )
        assert np.isfinite(res.y).all() and np.isfinite(res.sensitivities.array()).all()
        again = pickle.loads(pickle.dumps(res))  # the Trajectory's state, with sensitivities
        assert again.equals(res) and again.redness_hours(2) == res.redness_hours(2)
        with tempfile.TemporaryDirectory() as tmp:  # restore_trajectory
            assert sr.Result.load(res.save(Path(tmp) / "r.nc")).equals(res)
    many = sr.simulate_many(
        [plan, sr.Schedule([0, 3, 6])],
        [sr.Patient(age=a) for a in (30, 70)],
        days=[30, 365],
        cross=True,
        threads=4,
        metrics=["total_collagen", "redness_hours", "first_visible_day"],
    )
    assert many.n_failed == 0
    # The bound batch request and result, pickled as Dask ships them; an empty batch.
    row = sr.Patient()._row()[None, :]
    params = sr.Parameters.default().values_array[None, :]
    for n in (0, 3):
        request = core.BatchRequest(
            params,
            row,
            [plan._to_array()],
            np.zeros((n, 3), np.int64),
            np.array([10.0, 60.0]),
            60.0,
            core.SolverOptions(),
        )
        out = core.simulate_batch(pickle.loads(pickle.dumps(request)), 2)
        assert out.states.shape == (n, 2, 15) and len(out.error) == n
        assert out.time_above.shape == (n, 3, out.max_sessions) and out.stats.shape == (n,)
    bands = sr.Population(300, variability={"s_w": 0.3}, seed=1).simulate(plan, days=120)
    assert np.isfinite(bands.to_numpy()).all()
    for bad in (
        lambda: sr.simulate([0], days=1e-9, max_steps=1),
        lambda: sr.simulate([0], days=365, max_steps=3),
        lambda: core.effective_parameters(params[0], np.full(8, 3.0)),
        lambda: core.sensitivity_column("depth_mm[99]", 3),
        lambda: core.simulate_batch(
            core.BatchRequest(
                params,
                row,
                [plan._to_array()],
                np.full((1, 3), 5, np.int64),
                np.array([1.0]),
                1.0,
                core.SolverOptions(),
            ),
            1,
        ),
    ):
        try:
            bad()
        except (ValueError, sr.SolverError):
            pass
    print(
        "sanitized extension: simulate, sensitivities, pickling, files, batch, population ran clean"
    )


if __name__ == "__main__":
    main(sys.argv[1])
