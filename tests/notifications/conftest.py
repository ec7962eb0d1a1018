import pytest

from notifications.gateways.memory import OUTBOX, memory_outbox_clear


@pytest.fixture
def memory_sms(settings):
    """Text messages go to the in-memory gateway; its outbox starts and ends empty. Yields the outbox."""
    settings.SMS_BACKEND = "memory"
    memory_outbox_clear()
    yield OUTBOX
    memory_outbox_clear()
