"""Assertions shared by the validator tests."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation


@contextmanager
def rejected_with(code):
    """Expect a ValidationError carrying exactly this stable code."""
    with pytest.raises(ValidationError) as info:
        yield info
    assert info.value.code == code


def error_text(error: ValidationError) -> str:
    """Everything an error would show or log, to check no personal value leaks into it."""
    with translation.override("en"):
        return " ".join(str(message) for message in error.messages) + repr(error)
