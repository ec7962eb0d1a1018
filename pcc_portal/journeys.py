"""What every journey page shares: the 10-minute idle session (issue 4, "Security")."""

JOURNEY_IDLE_SECONDS = 600


def journey_context(request, *, steps=None, step=None, **extra) -> dict:
    """Restart the idle clock and give the template what the step indicator and countdown need."""
    request.session.set_expiry(JOURNEY_IDLE_SECONDS)
    return {"steps": steps or [], "step": step, "session_seconds": JOURNEY_IDLE_SECONDS, **extra}
