"""A person's own settings for how CaseDesk behaves for them."""

from __future__ import annotations

from casedesk import languages

from ..models import User


def set_keyboard_shortcuts(user: User, *, enabled: bool) -> None:
    """Switch the single-key shortcuts on or off for `user` (and only for them).

    One UPDATE of the one column, so a save of the rest of the user elsewhere cannot be
    overwritten by this, nor this by it.
    """
    User.objects.filter(pk=user.pk).update(keyboard_shortcuts=enabled)
    user.keyboard_shortcuts = enabled


def set_language(user: User, *, language: str) -> None:
    """Set the language CaseDesk speaks to `user` ("" for whatever their browser asks for).

    One UPDATE of the one column, like the shortcuts switch.
    """
    if language and not languages.is_supported(language):
        raise ValueError(f"Not one of LANGUAGES: {language!r}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
