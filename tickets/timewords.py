"""Time left and time overdue in plain words: "剩余 2小时15分", "超期 40分钟".

One formatter for the whole workbench. The live countdown in the browser (static/hotline/app.js)
uses the same translated phrases, handed to it by `countdown_phrases()`, so the page never shows
one wording when it loads and another a minute later.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

# An open order with less than this left is "due soon" (amber); past its deadline it is red.
DUE_SOON = dt.timedelta(hours=2)

OK, SOON, OVERDUE = "ok", "soon", "overdue"


def countdown_phrases() -> dict[str, str]:
    """The translated phrases, with %(n)s-style placeholders, for Python and the browser alike."""
    return {
        "left": _("剩余 %(duration)s"),
        "overdue": _("超期 %(duration)s"),
        "days_hours": _("%(days)s天%(hours)s小时"),
        "days": _("%(days)s天"),
        "hours_minutes": _("%(hours)s小时%(minutes)s分"),
        "hours": _("%(hours)s小时"),
        "minutes": _("%(minutes)s分钟"),
        "under_minute": _("不到1分钟"),
    }


def duration_words(delta: dt.timedelta, phrases: dict[str, str] | None = None) -> str:
    """The length of `delta` (its sign ignored) in words, to the minute; days drop the minutes."""
    p = phrases or countdown_phrases()
    total_minutes = int(abs(delta.total_seconds()) // 60)
    if total_minutes < 1:
        return p["under_minute"]
    days, rest = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        if hours:
            return p["days_hours"] % {"days": days, "hours": hours}
        return p["days"] % {"days": days}
    if hours:
        if minutes:
            return p["hours_minutes"] % {"hours": hours, "minutes": minutes}
        return p["hours"] % {"hours": hours}
    return p["minutes"] % {"minutes": minutes}


def time_left_words(delta: dt.timedelta) -> str:
    """ "剩余 2小时15分" while there is time, "超期 40分钟" once the deadline has passed."""
    phrases = countdown_phrases()
    key = "overdue" if delta < dt.timedelta(0) else "left"
    return phrases[key] % {"duration": duration_words(delta, phrases)}


def deadline_state(delta: dt.timedelta) -> str:
    """ok (green), soon (amber, under DUE_SOON left) or overdue (red)."""
    if delta < dt.timedelta(0):
        return OVERDUE
    if delta < DUE_SOON:
        return SOON
    return OK
