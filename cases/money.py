"""Money as people read it in the active language: the configured currency's symbol in the
place and with the separators of the reader's locale ("£1,234.50" in en-gb, "1234,50 GBP"…).

Babel carries CLDR's currency patterns; Django's number formatting knows separators but
not where a currency's symbol goes. CSV exports and the API keep plain numbers (machines
read those); only what a person reads goes through here.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency
from django.conf import settings
from django.utils.translation import get_language, to_locale


@lru_cache(maxsize=32)
def babel_locale(language: str | None) -> Locale:
    """CLDR's locale for a Django language code; a code CLDR does not know (the test
    pseudo-locales "en-xa", "ar-xb") falls back to its base language, then to the site's."""
    for code in (language, (language or "").split("-")[0], settings.LANGUAGE_CODE):
        if not code:
            continue
        try:
            return Locale.parse(to_locale(code))
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en_GB")


def format_money(value: object, currency: str | None = None) -> str:
    """1234.5 → "£1,234.50" (en-gb), "1234,50 £" (pl); "—" for no value. Exact: the
    amount is rounded half up to pence as it is stored, never through a float."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    # Keyed by the text: Decimal("-0.00") == Decimal("0.00"), but they print differently.
    return _formatted(str(amount), currency or settings.CASEDESK_CURRENCY, get_language())


@lru_cache(maxsize=4096)
def _formatted(amount: str, currency: str, language: str | None) -> str:
    """Babel's formatting costs about 0.1 ms (locale data, pattern, symbols); a page shows
    the same few limits and totals many times (the policy library: 39 amounts)."""
    return format_currency(Decimal(amount), currency, locale=babel_locale(language))
