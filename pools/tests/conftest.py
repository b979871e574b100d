import pytest

from pools import events, tasks


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
    """Per-user events handed to the channel layer after commit, as ``{user public id: [frame, ...]}``."""
    sent: dict[str, list[dict]] = {}

    def record(messages: list[tuple[str, dict]]) -> None:
        for group, message in messages:
            assert group.startswith("user.") and message["type"] == "user.event", (group, message)
            sent.setdefault(group.removeprefix("user."), []).append(message["event"])

    monkeypatch.setattr(events, "send_now", record)
    return sent
