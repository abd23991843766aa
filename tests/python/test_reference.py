"""Numerical verification against an independent implementation (scipy Radau)."""

import numpy as np
import pytest

import skinremodel as sr
from reference_mn14 import STATES, simulate_reference

SIX_SESSIONS = [0.0, 28.0, 56.0, 84.0, 112.0, 140.0]


@pytest.fixture(scope="module")
def reference():
    return simulate_reference(SIX_SESSIONS, depth_mm=1.5, horizon=365, patient={"age": 45},
                              rtol=1e-10, atol=1e-12)


def relative_error(a, b, floor):
    return np.abs(a - b) / (np.abs(b) + floor)


@pytest.mark.parametrize("method", ["rodas5p", "rodas4", "dopri5"])
def test_every_state_every_day_matches_radau(reference, method):
    t_ref, y_ref = reference
    res = sr.simulate(sr.Schedule(SIX_SESSIONS, depth_mm=1.5), sr.Patient(age=45), days=365,
                      method=method, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(res.t, t_ref)
    err = relative_error(res.y, y_ref, floor=1e-6)
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() < 1e-6, (
        f"{method}: worst {err.max():.2e} at day {worst[0]}, state {STATES[worst[1]]}"
    )


def test_reference_is_not_trivial(reference):
    """Guard: the comparison above exercises the whole response, not a flat line."""
    _, y = reference
    collagen = y[:, 8] + y[:, 9] + y[:, 10]
    assert collagen.max() > 1.3
    assert y[:, 0].max() > 0.9  # damage after each session
    assert y[:, 13].max() > 0.9  # redness


@pytest.mark.parametrize("method", ["rodas5p", "rodas4", "dopri5"])
def test_error_shrinks_as_rtol_shrinks(reference, method):
    t_ref, y_ref = reference
    errors = []
    for rtol in (1e-4, 1e-6, 1e-8):
        res = sr.simulate(sr.Schedule(SIX_SESSIONS), sr.Patient(age=45), days=365,
                          method=method, rtol=rtol, atol=rtol * 1e-3)
        errors.append(relative_error(res.y, y_ref, floor=1e-3).max())
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-5


@pytest.mark.parametrize("method", ["rodas5p", "rodas4", "dopri5"])
def test_no_sessions_stays_at_baseline_for_ten_years(method):
    res = sr.simulate(sr.Schedule([]), sr.Patient(age=60, diabetes="controlled"), days=3650,
                      method=method)
    base = np.array(list(res.baseline.values()))
    np.testing.assert_allclose(res.y, np.broadcast_to(base, res.y.shape), rtol=1e-12, atol=1e-14)


def test_reference_and_engine_agree_for_an_older_diabetic_patient():
    patient = {"age": 62, "diabetes": "controlled", "vitamin_c": "deficient", "smoker": True}
    t_ref, y_ref = simulate_reference([0.0, 42.0, 84.0], depth_mm=1.0, horizon=200,
                                      patient=patient, rtol=1e-10, atol=1e-12)
    res = sr.simulate(sr.Schedule([0, 42, 84], depth_mm=1.0), sr.Patient(**patient), days=200,
                      rtol=1e-10, atol=1e-13)
    assert relative_error(res.y, y_ref, floor=1e-6).max() < 1e-6
