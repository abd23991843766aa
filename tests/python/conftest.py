import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).parent))  # reference_mn14


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def app_server():
    """`skinremodel app` served in a thread on a free port with its defaults (127.0.0.1)."""
    import threading

    from skinremodel.clinic.app import serve

    holder, started = {}, threading.Event()

    def ready(server):
        holder["server"] = server
        started.set()

    thread = threading.Thread(target=serve, kwargs={"port": 0, "ready": ready}, daemon=True)
    thread.start()
    assert started.wait(30), "the app did not start"
    yield holder["server"]
    holder["server"].shutdown()
    thread.join(30)
