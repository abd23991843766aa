"""Numerical verification against an independent implementation (scipy Radau)."""

import numpy as np
import pytest
import skinremodel as sr
from reference_mn14 import STATES, simulate_reference

SIX_SESSIONS = [0.0, 28.0, 56.0, 84.0, 112.0, 140.0]


@pytest.fixture(scope="module")
def reference():
    return simulate_reference(
        SIX_SESSIONS, depth_mm=1.5, horizon=365, patient={"age": 45}, rtol=1e-10, atol=1e-12
    )


def relative_error(a, b, floor):
    return np.abs(a - b) / (np.abs(b) + floor)


@pytest.mark.parametrize("method", ["rodas5p", "rodas4", "dopri5"])
def test_every_state_every_day_matches_radau(reference, method):
    t_ref, y_ref = reference
    res = sr.simulate(
        sr.Schedule(SIX_SESSIONS, depth_mm=1.5),
        sr.Patient(age=45),
        days=365,
        method=method,
        rtol=1e-10,
        atol=1e-13,
    )
    np.testing.assert_array_equal(res.t, t_ref)
    err = relative_error(res.y, y_ref, floor=1e-6)
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() < 1e-6, (
        f"{method}: worst {err.max():.2e} at day {worst[0]}, state {STATES[worst[1]]}"
    )


def test_reference_is_not_trivial(reference):
    """Guard: the comparison above exercises the whole response, not a flat line."""
    _, y = reference
    i = {name: k for k, name in enumerate(STATES)}
    collagen = y[:, i["C3"]] + y[:, i["C1"]] + y[:, i["Cf"]] + y[:, i["Cm"]]
    assert collagen.max() > 1.3
    assert y[:, i["D"]].max() > 0.9  # damage after each session
    assert y[:, i["R"]].max() > 0.9  # redness


@pytest.mark.parametrize("method", ["rodas5p", "rodas4", "dopri5"])
def test_error_shrinks_as_rtol_shrinks(reference, method):
    t_ref, y_ref = reference
    errors = []
    for rtol in (1e-4, 1e-6, 1e-8):
        res = sr.simulate(
            sr.Schedule(SIX_SESSIONS),
            sr.Patient(age=45),
            days=365,
            method=method,
            rtol=rtol,
            atol=rtol * 1e-3,
        )
        errors.append(relative_error(res.y, y_ref, floor=1e-3).max())
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-5


@pytest.mark.parametrize("patient", [sr.Patient(), sr.Patient(age=60, diabetes="controlled")])
@pytest.mark.parametrize("method", ["rodas5p", "rodas4", "dopri5"])
def test_no_sessions_stays_at_baseline_for_ten_years(method, patient):
    res = sr.simulate(sr.Schedule([]), patient, days=3650, method=method)
    base = np.array(list(res.baseline.values()))
    drift = np.abs(res.y - base)
    if method in ("rodas5p", "rodas4"):  # L-stable: the steady state is kept to round-off
        assert (drift <= 1e-12 * (1 + np.abs(base))).all()
    else:  # explicit: stiff round-off growth is stopped by the error control, at tolerance level
        atol = res.options.atol_array
        assert (drift <= 10 * (atol + res.options.rtol * np.abs(base))).all()


def test_reference_and_engine_agree_for_an_older_diabetic_patient():
    patient = {"age": 62, "diabetes": "controlled", "vitamin_c": "deficient", "smoker": True}
    t_ref, y_ref = simulate_reference(
        [0.0, 42.0, 84.0], depth_mm=1.0, horizon=200, patient=patient, rtol=1e-10, atol=1e-12
    )
    res = sr.simulate(
        sr.Schedule([0, 42, 84], depth_mm=1.0),
        sr.Patient(**patient),
        days=200,
        rtol=1e-10,
        atol=1e-13,
    )
    assert relative_error(res.y, y_ref, floor=1e-6).max() < 1e-6
