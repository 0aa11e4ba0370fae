"""Spanish input formats: Django's es, with the form date inputs are written in first
(day/month/year, minutes without seconds, cases/forms/widgets.py) and ISO accepted.
Everything else (DATE_FORMAT, separators) comes from Django's es module."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # '25/10/2006 14:30'
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%y %H:%M",
    "%Y-%m-%d %H:%M",  # ISO: '2006-10-25 14:30' (and '2006-10-25T14:30', below)
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
]
