"""Languages (see the README's "Languages"), imported by casedesk/settings.py.

Who sees which language: a signed-in person's choice on their profile (User.language,
activated by casedesk.middleware.UserLanguageMiddleware), otherwise what the browser asks
for (the language cookie set by the switcher, then Accept-Language: Django's
LocaleMiddleware). Customers' emails and their feedback page use the customer's own
preferred language, which starts as CASEDESK_CUSTOMER_LANGUAGE.
"""

from pathlib import Path

from .env import env_choice

# Source strings are British English; en-gb needs no catalogue of its own.
LANGUAGE_CODE = "en-gb"
# Each language named in itself: a person who cannot read the current one can still find
# their own in the list.
LANGUAGES = [("en-gb", "English"), ("pl", "Polski"), ("es", "Español")]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
USE_I18N = True

# The language a new customer's emails and feedback page are in, until staff change it on
# the customer's record.
CASEDESK_CUSTOMER_LANGUAGE = env_choice(
    "CASEDESK_CUSTOMER_LANGUAGE", LANGUAGE_CODE, [code for code, _ in LANGUAGES]
)

# The switcher's choice (sign-in and feedback pages) is kept for a year, not only for the
# browser session: the counter terminal is in one language from day to day.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
