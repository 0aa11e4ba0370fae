"""A person's own settings for how CaseDesk behaves for them."""

from __future__ import annotations

from ..models import User


def set_keyboard_shortcuts(user: User, *, enabled: bool) -> None:
    """Switch the single-key shortcuts on or off for `user` (and only for them).

    One UPDATE of the one column, so a save of the rest of the user elsewhere cannot be
    overwritten by this, nor this by it.
    """
    User.objects.filter(pk=user.pk).update(keyboard_shortcuts=enabled)
    user.keyboard_shortcuts = enabled
