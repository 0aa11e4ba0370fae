"""Phone numbers as people type them, parsed with `phonenumbers` and compared as E.164.

Staff type a number the way the customer says it: national ("07700 900105"),
international ("+44 7700 900105", "0044 7700 900105"), spaced or punctuated, or only its
last digits. Every full form of one number becomes the same E.164 string in the
business's region (CASEDESK_PHONE_REGION), so one indexed equality finds it; the last
digits are found through the reversed digits, where a suffix is a prefix that a btree
index serves (`LIKE '501009%'`, on SQLite and PostgreSQL alike).

A number is accepted when it is *possible* (the right length for its country), not only
when it is *valid* (in a range allocated today): validity tables lag new ranges, and the
numbers reserved for drama and tests (07700 900xxx) are never valid but are what demo
data and training use.
"""

from __future__ import annotations

import contextlib
import re

import phonenumbers
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

# What a phone number may be typed with besides digits.
PHONE_TEXT = re.compile(r"^\+?[\d\s().\-/]+$")
# Fewer last digits than this match too many customers to be worth showing.
MIN_SUFFIX_DIGITS = 4
# A number typed from its start matches by prefix once this many national digits are in.
MIN_PREFIX_DIGITS = 6

_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: gettext_lazy(
        "That country code is unknown: start with + and the country code, e.g. +44 for the UK."
    ),
    ValidationResult.TOO_SHORT: gettext_lazy("This phone number is too short."),
    ValidationResult.TOO_LONG: gettext_lazy("This phone number is too long."),
    ValidationResult.INVALID_LENGTH: gettext_lazy(
        "This phone number has the wrong number of digits."
    ),
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: gettext_lazy("Include the area code."),
}


class InvalidPhone(ValueError):
    """Text that is not a phone number; the message says what to fix."""


def phone_region() -> str:
    """The region a number without a country code belongs to (ISO 3166, e.g. "GB")."""
    return str(settings.CASEDESK_PHONE_REGION)


def example(region: str | None = None) -> str:
    """A sample number in national and international form, for messages and placeholders."""
    number = phonenumbers.example_number_for_type(
        region or phone_region(), phonenumbers.PhoneNumberType.MOBILE
    )
    if number is None:
        return "+44 7700 900123"
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    # Translators: one phone number written two ways, e.g. "07400 123456 or +44 7400 123456".
    return gettext("%(national)s or %(international)s") % {
        "national": national,
        "international": international,
    }


def parse_phone(text: str, *, region: str | None = None) -> str:
    """The number as E.164 ("+447700900105"), or "" for blank; InvalidPhone otherwise."""
    text = text.strip()
    if not text:
        return ""
    if not PHONE_TEXT.match(text):
        raise InvalidPhone(
            gettext("Enter a phone number in digits, such as %(example)s.")
            % {"example": example(region)}
        )
    try:
        number = phonenumbers.parse(text, region or phone_region())
    except NumberParseException as error:
        if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidPhone(str(_REASONS[ValidationResult.INVALID_COUNTRY_CODE])) from None
        raise InvalidPhone(
            gettext("Enter a phone number, such as %(example)s.") % {"example": example(region)}
        ) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != ValidationResult.IS_POSSIBLE:
        raise InvalidPhone(str(_REASONS.get(reason) or gettext("This is not a phone number.")))
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def normalise_phone(text: str, *, region: str | None = None) -> str:
    """E.164 when the text parses; otherwise its digits (with a leading + kept).

    Forms refuse what does not parse, so the fallback serves only rows written before
    numbers were parsed, or loaded in bulk: they still match themselves exactly.
    """
    try:
        return parse_phone(text, region=region)
    except InvalidPhone:
        text = text.strip()
        digits = re.sub(r"\D", "", text)
        return f"+{digits}" if text.startswith("+") and digits else digits


def reversed_digits(normalised: str) -> str:
    """The digits last first: "+447700900105" -> "501009007744" (suffix search)."""
    return re.sub(r"\D", "", normalised)[::-1]


def _typed_prefix(text: str, region: str) -> str | None:
    """The E.164 start of a number typed from its beginning but not finished yet, or None.

    "07700 9001" -> "+4477009001" (national: trunk prefix off, country code on);
    "+44 7700 9" and "0044 7700 9" -> "+4477009".
    """
    digits = re.sub(r"\D", "", text)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if text.lstrip().startswith("+"):
        national = digits
        start = f"+{digits}"
    elif metadata and metadata.international_prefix and digits.startswith("00"):
        # "00" is the international prefix of most regions (the UK's and the EU's).
        national = digits[2:]
        start = f"+{national}"
    elif metadata and metadata.national_prefix and digits.startswith(metadata.national_prefix):
        national = digits[len(metadata.national_prefix) :]
        start = f"+{metadata.country_code}{national}"
    else:
        return None
    return start if len(national) >= MIN_PREFIX_DIGITS else None


class PhoneSearch:
    """What a typed query asks of customers' phones: a full number, its start, its end."""

    def __init__(self, text: str, *, region: str | None = None) -> None:
        self.exact: str | None = None
        self.prefix: str | None = None
        self.suffix: str | None = None
        text = text.strip()
        if not PHONE_TEXT.match(text):
            return
        digits = re.sub(r"\D", "", text)
        if len(digits) < MIN_SUFFIX_DIGITS:
            return
        region = region or phone_region()
        self.suffix = digits[::-1]
        # Both: "07700 900" is a possible (short) number and the start of a longer one.
        self.prefix = _typed_prefix(text, region)
        with contextlib.suppress(InvalidPhone):
            self.exact = parse_phone(text, region=region)

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefix or self.suffix)

    def q(self) -> Q:
        """All three as one filter (each part has its own index)."""
        query = Q(phone_reversed__startswith=self.suffix) if self.suffix else Q(pk__in=[])
        if self.exact:
            query |= Q(phone_normalised=self.exact)
        if self.prefix:
            query |= Q(phone_normalised__startswith=self.prefix)
        return query
