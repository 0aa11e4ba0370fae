"""Pages for customers, cases and interactions, a module per concept.

Each view finds its objects through `visible_to` / `get_*_for` (404 outside the user's
teams), validates a form, makes one service call and turns a domain error into a message.
`cases/urls.py` names each view by its module (`cases.case_detail`, `insights.insights_page`);
nothing is re-exported here, because several modules share their view's name (`home`,
`search`, `feedback`, `health`) and a re-export would hide the module behind the function.
"""
