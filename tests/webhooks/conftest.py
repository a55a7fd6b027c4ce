import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    """A receiving system, listening."""
    server = Receiver().start()
    yield server
    server.stop()
