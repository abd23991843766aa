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
    spec = importlib.util.spec_from_file_location("skinremodel._core", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["skinremodel._core"] = module
    spec.loader.exec_module(module)

    import numpy as np
    import skinremodel as sr

    assert sr._core is module
    warnings.simplefilter("ignore", sr.ScheduleWarning)
    plan = sr.Schedule.regular(4, every_weeks=4)
    for method in ("rodas5p", "rodas4", "dopri5"):
        res = sr.simulate(plan, sr.Patient(age=60, smoker=True), days=400, method=method,
                          sensitivities=["k_mat", "depth_mm[1]"])
        assert np.isfinite(res.y).all() and np.isfinite(res.sensitivities.array()).all()
    many = sr.simulate_many([plan, sr.Schedule([0, 3, 6])], [sr.Patient(age=a) for a in (30, 70)],
                            days=[30, 365], cross=True, threads=4,
                            metrics=["total_collagen", "redness_hours"])
    assert many.n_failed == 0
    bands = sr.Population(300, variability={"s_w": 0.3}, seed=1).simulate(plan, days=120)
    assert np.isfinite(bands.to_numpy()).all()
    for bad in (lambda: sr.simulate([0], days=1e-9, max_steps=1),
                lambda: sr.simulate([0], days=365, max_steps=3)):
        try:
            bad()
        except (ValueError, sr.SolverError):
            pass
    print("sanitized extension: simulate, sensitivities, batch, population ran clean")


if __name__ == "__main__":
    main(sys.argv[1])
