"""Admin-editable texts in the reader's language: email templates (for the customer's) and
guidance cards (for the viewer's), each falling back to its default version."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from casedesk import languages

from .models import DemeanourGuidance, MessageTemplate

GUIDANCE_FIELDS = ("headline", "listen", "de_escalate", "boundaries", "escalate")


class TextError(Exception):
    """The change was refused; the message is fit to show the user."""


def message_template(key: str, language: str | None) -> MessageTemplate | None:
    """The template `key` in `language`, else its default version (one query)."""
    rows = MessageTemplate.objects.filter(key=key, language__in=languages.fallbacks(language))
    return languages.pick(rows, language, key=lambda row: row.language)


def guidance_card(demeanour: str, language: str | None) -> DemeanourGuidance | None:
    """The card for `demeanour` in `language`, else its default version (one query)."""
    rows = DemeanourGuidance.objects.filter(
        demeanour=demeanour, language__in=languages.fallbacks(language)
    )
    return languages.pick(rows, language, key=lambda row: row.language)


def guidance_versions(demeanour: str) -> dict[str, DemeanourGuidance]:
    """Every version of one demeanour's card, by language ("" for the default)."""
    rows = DemeanourGuidance.objects.filter(demeanour=demeanour)
    return {row.language: row for row in rows}


def check_guidance_version(*, demeanour: str, language: str) -> None:
    """A version in a language needs the default version (what the other languages fall
    back to) to exist first."""
    default = languages.DEFAULT_VERSION
    if language == default:
        return
    if not languages.is_supported(language):
        raise TextError(_("That language is not one CaseDesk offers."))
    if not DemeanourGuidance.objects.filter(demeanour=demeanour, language=default).exists():
        raise TextError(_("Write the default version of this card first."))


def save_guidance(*, demeanour: str, language: str, **fields: str) -> DemeanourGuidance:
    """Write the card for `demeanour` in `language`, creating that version if it is new.

    A language version needs the default version to exist (it is what other languages fall
    back to); two admins adding the same version at once get one row (the unique
    constraint) and the later one's words.
    """
    unknown = set(fields) - set(GUIDANCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown guidance fields: {sorted(unknown)}")
    check_guidance_version(demeanour=demeanour, language=language)
    try:
        with transaction.atomic():
            card, _created = DemeanourGuidance.objects.update_or_create(
                demeanour=demeanour, language=language, defaults=fields
            )
    except IntegrityError:
        # Created by someone else between our look and our insert: theirs is there now.
        card, _created = DemeanourGuidance.objects.update_or_create(
            demeanour=demeanour, language=language, defaults=fields
        )
    return card
