"""Ticketnet's rules for correspondence codes: integers 1…999 999 999 written without leading
zeros, tariffs with several codes `15|20|22`, competition performances `<manifestation>_<start>`."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_CODE = 999_999_999
MAX_PERFORMANCE_PART = 10
TARIFF_SEPARATOR = "|"
DOUBLE_SEPARATOR = "_"
_PERFORMANCE_PART = re.compile(r"^[0-9]+$")


def validate_code(value: str) -> None:
    """One code: an integer from 1 to 999 999 999, digits only, no leading zero."""
    value = value if isinstance(value, str) else str(value)
    if value != value.strip():
        raise ValidationError(
            _("Remove the spaces around “%(value)s”.") % {"value": value}, code="spaces"
        )
    if not value:
        raise ValidationError(
            _("Enter a code: a whole number from 1 to 999 999 999."), code="required"
        )
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("“%(value)s” is not a whole number: enter digits only, from 1 to 999 999 999.")
            % {"value": value},
            code="not_integer",
        )
    if int(value) == 0:
        raise ValidationError(
            _("“%(value)s” is zero: codes start at 1.") % {"value": value}, code="zero"
        )
    if value.startswith("0"):
        raise ValidationError(
            _("“%(value)s” has leading zeros, which Ticketnet does not accept: enter %(fixed)s.")
            % {"value": value, "fixed": int(value)},
            code="leading_zero",
        )
    if int(value) > MAX_CODE:
        raise ValidationError(
            _("“%(value)s” has %(digits)d digits: Ticketnet accepts at most 9 "
              "(999 999 999).") % {"value": value, "digits": len(value)},
            code="too_big",
        )


def split_tariff_codes(value: str) -> list[str]:
    return value.split(TARIFF_SEPARATOR)


def validate_tariff_codes(value: str) -> None:
    """One or several codes separated by `|`, each valid and none twice: `15|20|22`."""
    parts = split_tariff_codes(value or "")
    messages = []
    if len(parts) > 1 and any(not p for p in parts):
        messages.append(ValidationError(
            _("An empty code between “|”: write the codes as 15|20|22."), code="empty_part"
        ))
    for part in parts:
        if not part and len(parts) > 1:
            continue
        try:
            validate_code(part)
        except ValidationError as exc:
            messages.extend(exc.error_list)
    seen, twice = set(), []
    for part in parts:
        if part and part in seen and part not in twice:
            twice.append(part)
        seen.add(part)
    if twice:
        messages.append(ValidationError(
            _("The code %(codes)s is written twice: keep it once.")
            % {"codes": ", ".join(twice)},
            code="duplicate_part",
        ))
    if messages:
        raise ValidationError(messages)


def split_double_code(value: str) -> tuple[str, str]:
    """`1701_1709052030` → ("1701", "1709052030"); the caller has validated it."""
    manifestation, _sep, performance = value.partition(DOUBLE_SEPARATOR)
    return manifestation, performance


def validate_double_code(value: str) -> None:
    """A competition performance's `<manifestation>_<performance>`: `1701_1709052030`."""
    value = value or ""
    if value.count(DOUBLE_SEPARATOR) != 1:
        raise ValidationError(
            _("“%(value)s” is not a double code: enter <manifestation>_<performance>, for "
              "example 1701_1709052030.") % {"value": value},
            code="not_double",
        )
    manifestation, performance = split_double_code(value)
    messages = []
    try:
        validate_code(manifestation)
    except ValidationError as exc:
        messages.extend(
            ValidationError(
                _("Before “_”: %(error)s") % {"error": " ".join(e.messages)}, code=e.code
            )
            for e in exc.error_list
        )
    if not performance:
        messages.append(ValidationError(
            _("After “_”, enter the performance's code, for example 1709052030 (5 Sept 2017 "
              "20:30)."),
            code="empty_performance",
        ))
    elif len(performance) > MAX_PERFORMANCE_PART:
        messages.append(ValidationError(
            _("“%(part)s” has %(length)d characters after “_”: Ticketnet accepts at most 10 "
              "(YYMMDDHHMM).") % {"part": performance, "length": len(performance)},
            code="performance_too_long",
        ))
    elif not _PERFORMANCE_PART.match(performance):
        messages.append(ValidationError(
            _("After “_”, enter digits only: the performance's start as YYMMDDHHMM, for "
              "example 1709052030."),
            code="performance_characters",
        ))
    if messages:
        raise ValidationError(messages)


def performance_time_zone() -> ZoneInfo:
    """The institution's time zone, in which performance codes are written. Institutions have
    no time zone of their own: the back-office's (settings.TIME_ZONE) is theirs."""
    return ZoneInfo(settings.TIME_ZONE)


def start_code(start: dt.datetime) -> str:
    """A performance's start in the institution's time zone as `YYMMDDHHMM`."""
    return start.astimezone(performance_time_zone()).strftime("%y%m%d%H%M")


def validate_double_code_start(value: str, *, start: dt.datetime) -> None:
    """The part after “_” of a valid double code is its performance's start, `YYMMDDHHMM`."""
    manifestation, performance = split_double_code(value)
    expected = start_code(start)
    if performance != expected:
        local = start.astimezone(performance_time_zone())
        raise ValidationError(
            _("“%(part)s” after “_” is not the start of the performance: enter %(expected)s "
              "(%(start)s, %(zone)s, as YYMMDDHHMM), that is %(code)s.")
            % {"part": performance, "expected": expected,
               "start": local.strftime("%Y-%m-%d %H:%M"), "zone": local.tzname(),
               "code": f"{manifestation}{DOUBLE_SEPARATOR}{expected}"},
            code="performance_start",
        )


def normalize_code(value: str) -> str:
    """A code as Ticketnet may send it back (`0101`, ` 101`) → as we store it (`101`)."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit():
        return str(int(value))
    return value
