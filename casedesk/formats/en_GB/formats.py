"""British English formats: Django's en_GB, but times on the 24-hour clock ("14:30", not
"2:30 p.m.") as staff at a counter write them and as CaseDesk always showed them.
Other languages use Django's own formats (casedesk/formats/ has only what differs)."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
