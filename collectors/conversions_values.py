"""The values of a conversions CSV, checked with the types the models use.

A value that the warehouse could not hold, or that could be read two ways, is refused here with its
reason, so that one bad cell quarantines its line instead of failing every later build:

- ``amount`` becomes DECIMAL(18, 2): at most 16 digits before the decimal separator and 2 after
  (trailing zeros aside), one sign at most, no NaN, Infinity or exponent. Digits of other scripts (``٣٥``) are read as the digits they are.
- The decimal separator: ``1,250.00`` and ``1.250,00`` each have one reading and are accepted;
  ``1,250`` and ``1.250`` have two (1250 or 1.25) and are refused unless the file's separator is
  declared (``--decimal-separator`` or ``conversions_decimal_separator`` in the config).
- ``occurred_at`` is ISO 8601, extended (``2012-12-14T18:30:00Z``) or basic
  (``20121214T183000Z``); a time without an offset is UTC. It is landed as extended ISO 8601 in UTC.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal

MAX_INTEGER_DIGITS = 16  # DECIMAL(18, 2)
SEPARATORS = (".", ",")

_READINGS = {
    # decimal separator -> the shapes an amount may take with it (grouped or not)
    ".": re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"),
    ",": re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"),
}


class BadValue(ValueError):
    """A cell that cannot be loaded; the message says which and why."""


def _ascii_digits(text: str) -> str:
    out = []
    for char in text:
        if char.isdigit() and not char.isascii():
            try:
                char = str(unicodedata.decimal(char))
            except ValueError:
                raise BadValue(f"{char!r} is not a decimal digit") from None
        out.append(char)
    return "".join(out)


def _reading(digits: str, separator: str) -> Decimal | None:
    if not _READINGS[separator].match(digits):
        return None
    group = "," if separator == "." else "."
    return Decimal(digits.replace(group, "").replace(separator, "."))


def parse_amount(text: str, separator: str | None = None) -> Decimal:
    """The amount as a Decimal with 2 places, or ``BadValue`` naming the problem."""
    raw = (text or "").strip()
    if not raw:
        raise BadValue("amount is empty")
    value = _ascii_digits(raw).replace("\u00a0", "").replace(" ", "")
    sign = -1 if value.startswith("-") else 1
    digits = value[1:] if value[:1] in ("+", "-") else value  # one sign at most: "+-5" is no number
    if separator is not None:
        readings = {r for r in [_reading(digits, separator)] if r is not None}
    else:
        readings = {r for r in (_reading(digits, s) for s in SEPARATORS) if r is not None}
    if not readings:
        raise BadValue(f"amount {raw!r} is not a number (digits with one decimal separator)")
    if len(readings) > 1:
        a, b = sorted(readings)
        raise BadValue(
            f"amount {raw!r} is ambiguous ({b} or {a}): declare the file's decimal separator "
            "(--decimal-separator or conversions_decimal_separator)"
        )
    amount = sign * readings.pop()
    if abs(amount) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise BadValue(
            f"amount {raw!r} has more than {MAX_INTEGER_DIGITS} digits before the decimal separator"
        )
    cents = amount.quantize(Decimal("0.01"))
    if cents != amount:  # DECIMAL(18, 2) would round it: a person reads 12.3456, not 12.35
        raise BadValue(f"amount {raw!r} has more than 2 decimal places")
    return cents


def parse_time(text: str) -> datetime:
    """An ISO 8601 time (extended or basic form) in UTC; no offset means UTC."""
    raw = (text or "").strip()
    if not raw:
        raise BadValue("occurred_at is empty")
    try:
        when = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"occurred_at {raw!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
