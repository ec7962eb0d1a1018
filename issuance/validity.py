"""Validity dates of a code (DOMAIN.md §3, KCS notice announced 2025-06-18).

Pure date arithmetic, in Korean calendar days, kept apart so every service and the expiry job agree.
"""

import datetime

RENEWAL_OPENS_DAYS_BEFORE = 30
GRACE_DAYS_AFTER_EXPIRY = 30
RULE_START_YEAR = 2026  # codes issued from 2026 on are valid one year; earlier ones are "legacy"
LEGACY_FIRST_EXPIRY_YEAR = 2027


def one_year_from(day: datetime.date) -> datetime.date:
    """The expiry date one year on, valid through that day: 2026-03-10 → 2027-03-10 (Feb 29 → Feb 28)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return datetime.date(day.year + 1, 2, 28)


def legacy_first_expiry(birth_date: datetime.date) -> datetime.date:
    """Codes issued before 2026 first expire on the holder's 2027 birthday (Feb 29 → Feb 28)."""
    try:
        return birth_date.replace(year=LEGACY_FIRST_EXPIRY_YEAR)
    except ValueError:
        return datetime.date(LEGACY_FIRST_EXPIRY_YEAR, 2, 28)


def renewal_window(expires_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day on which a code can be renewed: 30 days before to 30 days after expiry."""
    return (
        expires_on - datetime.timedelta(days=RENEWAL_OPENS_DAYS_BEFORE),
        expires_on + datetime.timedelta(days=GRACE_DAYS_AFTER_EXPIRY),
    )


def renewal_state(expires_on: datetime.date, today: datetime.date) -> str:
    """ "not_open" before the window, "open" within it, "closed" after it."""
    opens, closes = renewal_window(expires_on)
    if today < opens:
        return "not_open"
    return "open" if today <= closes else "closed"


def is_past_expiry(expires_on: datetime.date, today: datetime.date) -> bool:
    return today > expires_on


def is_past_grace(expires_on: datetime.date, today: datetime.date) -> bool:
    return today > expires_on + datetime.timedelta(days=GRACE_DAYS_AFTER_EXPIRY)
