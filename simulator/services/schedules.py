"""EventBridge Scheduler expressions: at(), rate() and cron(), turned into simulated fire times.

Simulated time 0 is 2026-01-01T00:00:00Z (a Thursday), when the schedule is created; `at()` times
before it never fire. A rate() schedule without a StartDate "starts invoking the target immediately"
(schedule-types.html): at 0, then every period. These are the scheduled times; the Scheduler model
adds the 60-second precision or the flexible window.
cron has six fields (minutes hours day-of-month month day-of-week year) with `*`, `?`, lists,
ranges and `/` steps; `L`, `W` and `#` are not modelled and are reported instead of guessed.
"""
from __future__ import annotations

import datetime as dt
import re

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
MAX_FIRES = 100_000
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_AT = re.compile(r"^at\(\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\s*\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_S = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MON = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                     "DEC"), start=1)}


def fire_times(expression: str, until_s: float) -> tuple[list[float], str | None]:
    """(times in simulated seconds, problem or None)."""
    expression = (expression or "").strip()
    if m := _RATE.match(expression):
        step = int(m.group(1)) * _UNIT_S[m.group(2)]
        if step <= 0:
            return [], "rate must be positive"
        n = min(int(until_s // step) + 1, MAX_FIRES)
        return [float(step * i) for i in range(n)], None
    if m := _AT.match(expression):
        when = dt.datetime.fromisoformat(m.group(1)).replace(tzinfo=dt.timezone.utc)
        t = (when - EPOCH).total_seconds()
        return ([t] if 0 <= t <= until_s else []), None
    if m := _CRON.match(expression):
        return _cron_times(m.group(1).split(), until_s)
    return [], f"unsupported expression {expression!r}: use at(...), rate(...) or cron(...)"


def _field(text: str, lo: int, hi: int, names: dict | None = None) -> set[int] | str:
    if text in ("*", "?"):
        return set(range(lo, hi + 1))
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                return f"bad step in {text!r}"
            step = int(step_text)
        if part in ("*", ""):
            start, end = lo, hi
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = hi if step > 1 else start
        if start is None or end is None or not (lo <= start <= hi and lo <= end <= hi):
            return f"unsupported or out-of-range value in {text!r}"
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict | None) -> int | None:
    if names and text.upper() in names:
        return names[text.upper()]
    return int(text) if text.isdigit() else None


def _cron_times(fields: list[str], until_s: float) -> tuple[list[float], str | None]:
    if len(fields) != 6:
        return [], "cron needs six fields: minutes hours day-of-month month day-of-week year"
    spec = [_field(fields[0], 0, 59), _field(fields[1], 0, 23), _field(fields[2], 1, 31),
            _field(fields[3], 1, 12, _MON), _field(fields[4], 1, 7, _DOW), _field(fields[5], 1970, 2199)]
    for s in spec:
        if isinstance(s, str):
            return [], s
    minutes, hours, days, months, dows, years = spec
    dom_any, dow_any = fields[2] in ("*", "?"), fields[4] in ("*", "?")
    times: list[float] = []
    day = EPOCH
    end = EPOCH + dt.timedelta(seconds=until_s)
    while day <= end and len(times) < MAX_FIRES:
        dow = (day.isoweekday() % 7) + 1          # SUN=1 … SAT=7, as AWS cron counts
        if day.year in years and day.month in months and (
                (day.day in days if not dom_any else True) and (dow in dows if not dow_any else True)):
            for h in sorted(hours):
                for mi in sorted(minutes):
                    t = (day - EPOCH).total_seconds() + h * 3600 + mi * 60
                    if t <= until_s:
                        times.append(t)
        day += dt.timedelta(days=1)
    return times, None
