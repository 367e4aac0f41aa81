"""Academic years are stored as the calendar year they start in (2022 = «2022/2023»)."""

import datetime

from django.utils import timezone

ACADEMIC_YEAR_START_MONTH = 9
# the academic years a filter accepts (the models store years from 2000 on)
MIN_ACADEMIC_YEAR, MAX_ACADEMIC_YEAR = 2000, 2100


def academic_year_of(day: datetime.date) -> int:
    return day.year if day.month >= ACADEMIC_YEAR_START_MONTH else day.year - 1


def current_academic_year() -> int:
    return academic_year_of(timezone.localdate())


def academic_year_label(year: int | None) -> str:
    return f"{year}/{year + 1}" if year else ""


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of an academic year (1 September – 31 August)."""
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


def parse_academic_year(value) -> int | None:
    """Accept «2022/2023», «2022-2023», «2022» or 2022; None where it is not a year."""
    text = str(value).strip().replace("–", "-").replace("—", "-")
    if text.endswith(".0"):
        text = text[:-2]
    for sep in ("/", "-"):
        if sep in text:
            first, _, second = text.partition(sep)
            if first.isdigit() and second.isdigit() and int(second) == int(first) + 1:
                return int(first)
            return None
    if text.isdigit() and 1990 <= int(text) <= 2100:
        return int(text)
    return None


def academic_year_choices(span_back: int = 10, span_forward: int = 1) -> list[tuple[int, str]]:
    now = current_academic_year()
    return [(y, academic_year_label(y)) for y in range(now + span_forward, now - span_back - 1, -1)]
