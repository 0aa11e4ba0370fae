"""Insights for managers: every figure is a SQL aggregate over the user's teams.

`insights_for(period)` runs a fixed number of queries whatever the amount of data;
each section returns plain rows (dicts) that the page charts, tabulates and exports.
One module per section; every public name is re-exported here, so
`insights.cached_insights(...)` works as before.
"""

from .complaint_trends import complaints, current_surges, surges
from .cost import cost_to_serve
from .demeanour import demeanour_outcomes
from .exception_requests import exceptions
from .feedback import satisfaction
from .followups import follow_through
from .period import MONEY, TOP, Period, teams_for
from .report import Insights, cached_insights, insights_for

__all__ = [
    "MONEY",
    "TOP",
    "Insights",
    "Period",
    "cached_insights",
    "complaints",
    "cost_to_serve",
    "current_surges",
    "demeanour_outcomes",
    "exceptions",
    "follow_through",
    "insights_for",
    "satisfaction",
    "surges",
    "teams_for",
]
