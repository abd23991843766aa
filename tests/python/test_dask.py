"""The same sweep on a Dask cluster equals the local run, failures included."""

import numpy as np
import pytest
import skinremodel as sr

distributed = pytest.importorskip("dask.distributed")

PLAN = sr.Schedule.regular(3, every_weeks=4)
METRICS = ["total_collagen", "visible_improvement", "redness_hours", "first_visible_day"]


@pytest.fixture(scope="module")
def population():
    return sr.Population(
        40,
        age=("uniform", 25, 75),
        covariates={"smoker": 0.3},
        variability={"s_w": 0.3, "k_mat": 0.2},
        seed=7,
    )


def assert_same(a, b):
    assert a.items.equals(b.items)
    assert a.stats.equals(b.stats)
    for metric in a.metrics:
        assert np.array_equal(a.values(metric), b.values(metric), equal_nan=True), metric


@pytest.mark.slow
@pytest.mark.parametrize("processes", [False, True])
def test_dask_run_equals_local_run(population, processes):
    local = population.outcomes(PLAN, days=[0, 30, 90], metrics=METRICS)
    with (
        distributed.LocalCluster(
            n_workers=2 if not processes else 1,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = population.outcomes(
            PLAN, days=[0, 30, 90], metrics=METRICS, client=client, chunk_size=7
        )  # several tasks, a ragged last one
        bands_local = population.simulate(PLAN, days=60)
        bands_remote = population.simulate(PLAN, days=60, client=client)
    assert_same(local, remote)
    assert bands_local.equals(bands_remote)


@pytest.mark.slow
def test_failures_travel_back_from_the_workers():
    stiff = sr.Parameters.default().replace(d_T=3000.0)
    params = [sr.Parameters.default(), stiff, sr.Parameters.default().replace(k_mat=0.01)]
    kwargs = dict(days=[30], method="dopri5", max_steps=6000, metrics=["total_collagen"])
    local = sr.simulate_many(PLAN, sr.Patient(age=40), params, **kwargs)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = sr.simulate_many(
            PLAN, sr.Patient(age=40), params, client=client, chunk_size=1, **kwargs
        )
    assert remote.failed.tolist() == [False, True, False]
    assert "max_steps" in remote.items.loc[1, "error"]
    assert_same(local, remote)
