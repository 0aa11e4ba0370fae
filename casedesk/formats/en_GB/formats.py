"""British English formats: Django's en_GB, but times on the 24-hour clock ("14:30", not
"2:30 p.m.") as staff at a counter write them and as CaseDesk always showed them.
Other languages use Django's own formats (casedesk/formats/ has only what differs).

The first input format is the one date inputs are written in and hinted with
(cases/forms/widgets.py): day first, minutes without seconds. Django's en_GB list starts
with ISO with seconds; ISO is still accepted, listed after the British forms."""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # '25/10/2006 14:30'
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%Y-%m-%d %H:%M",  # ISO: '2006-10-25 14:30' (and '2006-10-25T14:30', below)
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
]
