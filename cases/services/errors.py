"""The domain errors every service raises: a rule refused the change.

Their own module, below every service, so that any service (and any view) can name them
without importing another service module.
"""

from __future__ import annotations


class CaseError(Exception):
    """A domain rule refused the change; the message is fit to show the user."""


class InvalidTransition(CaseError):
    """The case is not in a status this move starts from (someone else moved it first, or
    the move does not exist)."""


class NotAllowed(CaseError):
    pass


class CustomerErased(CaseError):
    """The customer's personal data was erased: their record is final."""
