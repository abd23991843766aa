"""Devices: puncture density from the design's geometry, and sessions that use them."""

import math

import numpy as np
import pytest
import skinremodel as sr


def test_roller_density_follows_the_drum_geometry():
    # Design MN-14 2.5: 192 needles on a 2 cm x 2 cm drum -> 15.3/cm2 per pass, ~230 after 15.
    one = sr.Device.roller(passes=1)
    assert one.density_per_cm2 == pytest.approx(192 / (math.pi * 2 * 2))
    assert round(one.density_per_cm2, 1) == 15.3
    assert sr.Device.roller().density_per_cm2 == pytest.approx(15 * one.density_per_cm2)
    assert 220 < sr.Device.roller().density_per_cm2 < 260  # "about 250 after ~15 passes"
    wide = sr.Device.roller(drum_width_cm=4.0, passes=15)
    assert wide.density_per_cm2 == pytest.approx(sr.Device.roller().density_per_cm2 / 2)


def test_pen_and_stamp_densities():
    pen = sr.Device.pen(needles=11, passes=3, speed=90, glide_cm_per_s=5, footprint_cm=0.4)
    assert pen.density_per_cm2 == pytest.approx(3 * 11 * 90 / (5 * 0.4))
    # Doubling the glide speed halves the density; doubling the passes doubles it.
    assert sr.Device.pen(glide_cm_per_s=8).density_per_cm2 == pytest.approx(
        sr.Device.pen().density_per_cm2 / 2
    )
    assert sr.Device.pen(passes=4).density_per_cm2 == pytest.approx(
        2 * sr.Device.pen(passes=2).density_per_cm2
    )
    stamp = sr.Device.stamp(stamps_per_cm2=4, needles=35)
    assert stamp.density_per_cm2 == 140


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (
            lambda: sr.Device.roller(passes=0),
            ValueError,
            r"passes must be an integer in \[1, 100\]",
        ),
        (lambda: sr.Device.roller(needles=2.5), TypeError, r"needles"),
        (lambda: sr.Device.pen(speed=-1), ValueError, r"speed must be in \(0, 1000\] Hz"),
        (
            lambda: sr.Device.pen(needles=12, passes=100, glide_cm_per_s=0.1),
            ValueError,
            r"outside the dose model's range",
        ),
        (lambda: sr.Device.stamp(0), ValueError, r"stamps_per_cm2"),
        (lambda: sr.Device.roller(needle_diameter_mm=2), ValueError, r"needle_diameter_mm"),
        (lambda: sr.Device.from_dict({"kind": "laser"}), ValueError, r"kind must be one of"),
        (
            lambda: sr.Device.from_dict({"kind": "pen", "sped": 3}),
            ValueError,
            r"device \(pen\): unknown key 'sped'; did you mean 'speed'\?",
        ),
    ],
)
def test_bad_device_settings_name_the_field(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_device_round_trips_through_a_dict():
    for device in (
        sr.Device.roller(passes=10),
        sr.Device.pen(needles=11, speed=90),
        sr.Device.stamp(3.5, needles=20),
    ):
        assert sr.Device.from_dict(device.to_dict()) == device


def test_session_takes_density_and_diameter_from_the_device():
    roller = sr.Device.roller(passes=10)
    s = sr.Session(0, 1.5, device=roller)
    assert s.density_per_cm2 == roller.density_per_cm2
    assert s.needle_diameter_mm == 0.25
    assert sr.Session(0).density_per_cm2 == 250.0  # without a device, as before
    with pytest.raises(ValueError, match=r"density_per_cm2=500 contradicts the device"):
        sr.Session(0, 1.5, density_per_cm2=500, device=roller)
    with pytest.raises(TypeError, match=r"device must be a skinremodel.Device"):
        sr.Session(0, device="roller")


def test_simulation_with_a_device_equals_its_density_and_diameter():
    pen = sr.Device.pen(needles=12, passes=1)
    with_device = sr.simulate(sr.Schedule([0, 42], device=pen), days=120)
    explicit = sr.simulate(
        sr.Schedule(
            [0, 42], density_per_cm2=pen.density_per_cm2, needle_diameter_mm=pen.needle_diameter_mm
        ),
        days=120,
    )
    np.testing.assert_array_equal(with_device.y, explicit.y)


def test_more_passes_give_a_larger_but_saturating_dose():
    # theta = 1 - exp(-rho a): the injured fraction saturates, so the dose is concave in rho.
    doses = [
        sr.simulate(sr.Schedule([0], device=sr.Device.roller(passes=p)), days=2).doses[0]
        for p in (10, 20, 30, 40)
    ]
    steps = np.diff(doses)
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0)  # equal passes add less and less
    assert doses[3] < 4 * doses[0]


def test_with_settings_swaps_the_device():
    plan = sr.Schedule.regular(3, every_weeks=4, device=sr.Device.roller())
    pen = sr.Device.pen()
    swapped = plan.with_settings(device=pen)
    assert all(s.device == pen and s.density_per_cm2 == pen.density_per_cm2 for s in swapped)
    with pytest.raises(ValueError, match=r"sessions\[0\] \(day 0\).*contradicts the device"):
        plan.with_settings(density_per_cm2=400)
    plain = plan.with_settings(device=None, density_per_cm2=400)
    assert plain[0].device is None and plain[0].density_per_cm2 == 400
