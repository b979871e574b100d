import pytest

from config import realtime
from pools import tasks


def pytest_configure(config):
    config.addinivalue_line("markers", "real_broker: send enqueued Celery tasks to the real broker")


@pytest.fixture(autouse=True)
def pairing_enqueued(request, monkeypatch):
    """Pairing runs enqueued after commit, recorded instead of sent to the broker.

    Tests marked ``real_broker`` send them for real.
    """
    enqueued: list[tuple] = []
    if request.node.get_closest_marker("real_broker") is None:
        monkeypatch.setattr(tasks.pool_pairing_run, "delay", lambda *args, **kwargs: enqueued.append(args))
    return enqueued


@pytest.fixture
def sent_events(monkeypatch):
    """Per-user events sent after commit, as ``{user public id: [frame, ...]}``."""
    sent: dict[str, list[dict]] = {}

    def record(group: str, message: dict) -> None:
        assert group.startswith("user."), group
        sent.setdefault(group.removeprefix("user."), []).append(message["event"])

    monkeypatch.setattr(realtime, "group_send_now", record)
    return sent
