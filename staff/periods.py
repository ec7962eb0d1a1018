"""Date filters of the staff review pages in Korean calendar days (TIME_ZONE = Asia/Seoul): a day
runs from Korean midnight to the next, whatever the UTC timestamps say."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

KOREA = ZoneInfo(settings.TIME_ZONE)


def korean_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=KOREA)


def korean_days_q(field: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """`field` within the Korean days from `date_from` to `date_to`, both included; a half-open range
    on the timestamp so its index is used."""
    condition = Q()
    if date_from is not None:
        condition &= Q(**{f"{field}__gte": korean_midnight(date_from)})
    if date_to is not None:
        condition &= Q(**{f"{field}__lt": korean_midnight(date_to + datetime.timedelta(days=1))})
    return condition
