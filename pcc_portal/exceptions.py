"""The one error family of the project (HackSoft styleguide `core/exceptions.py`).

Business-rule failures raise `ApplicationError` (or a subclass) with a stable code such as
`PCC_REISSUE_LIMIT_REACHED` and a message marked for translation; input validation raises Django's
`ValidationError` with a stable `code`. Views and APIs translate both through `messages_in_both`;
they never invent their own wording.
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise


def messages_in_both(message: str | Promise) -> dict[str, str]:
    """Render one translatable message in Korean and English (API clients get both)."""
    rendered = {}
    for language in ("ko", "en"):
        with translation.override(language):
            rendered[language] = str(message)
    return rendered


class ApplicationError(Exception):
    """A domain rule refused the request. `code` is stable; `message` is lazily translated."""

    def __init__(self, code: str, message: str | Promise, *, extra: dict | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:  # never includes personal data: codes and fixed texts only
        return f"{self.code}: {self.message}"

    def messages(self) -> dict[str, str]:
        return messages_in_both(self.message)


def validation_error_codes(error: ValidationError) -> list[str]:
    """The stable codes inside a ValidationError, whether it holds a list or a dict of fields."""
    if hasattr(error, "error_dict"):
        return [item.code or "invalid" for items in error.error_dict.values() for item in items]
    return [item.code or "invalid" for item in error.error_list]


def flatten_errors(errors, prefix: str = "") -> dict[str, list]:
    """DRF's nested error structure as dotted paths: {"items.0.price": [ErrorDetail, …]}."""
    flat: dict[str, list] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            # A list's or a nested object's own errors belong to its path, not to "….non_field_errors".
            own = key == "non_field_errors" and prefix
            flat.update(flatten_errors(value, prefix if own else (f"{prefix}.{key}" if prefix else str(key))))
    elif isinstance(errors, list) and errors and all(isinstance(item, str) for item in errors):
        flat[prefix or "non_field_errors"] = list(errors)
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "non_field_errors"] = [errors]
    return flat
