"""Starter data for the CaseDesk policy library and demeanour guidance.

Plain Python values only, with no Django imports, so that migrations, management
commands and tests can all load them. Nothing here is read at request time: the
admin-editable copies live in the database and are seeded from these values.

One module per kind of data, re-exported here:

* ``DEMEANOUR_GUIDANCE`` (guidance.py) - what staff see on a case for each customer
  demeanour.
* ``CATEGORIES`` (library.py) - the complaint categories a new install starts with.
* ``POLICIES`` (library.py) - a sample policy library, each policy with its allowed
  exceptions and discretion limits.
* ``QUICK_LOGS`` (quick_logs.py) - one-tap fillings of the interaction form.
"""

from .guidance import DEMEANOUR_GUIDANCE
from .library import CATEGORIES, POLICIES
from .quick_logs import QUICK_LOGS

__all__ = ["CATEGORIES", "DEMEANOUR_GUIDANCE", "POLICIES", "QUICK_LOGS"]
