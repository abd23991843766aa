"""The text form of plans: ``Schedule.parse(text)`` and ``str(plan)``.

Grammar (case-insensitive; commas, semicolons and "and" only separate; full description with
examples in ``docs/clinician.md``)::

    plan     := {start} phase {"then" ["after" DURATION] phase} {start}  |  "no sessions"
    start    := ("starting" | "from") (DATE | "day" NUM)           DATE is YYYY-MM-DD
    phase    := COUNT "sessions" {clause}                           "4 sessions every 4 weeks"
              | SPACING "for" (DURATION | COUNT "sessions") {clause}  "yearly for 2 years"
              | ["sessions"] "on" "days" NUM {NUM} {clause}           absolute days
    clause   := SPACING | "at" NUM "mm" | ["at"] NUM "punctures/cm2" | "with" DEVICE
    SPACING  := "every" [NUM] UNIT | NUM UNIT "apart" | "weekly" | "fortnightly" | "monthly"
              | "yearly" | "annually"
    DEVICE   := ["a"] [NUM "-needle"] ("roller" | "pen" | "stamp") [NUM "passes"]
                [NUM "stamps/cm2"]                                  (stamps only)
    UNIT     := day(s) | week(s) | month(s) (= 30 days) | year(s) (= 365 days)

A "then" phase starts one interval after the previous phase's last session unless "after ..."
says otherwise; a phase without an interval ("1 session") needs "after". Depth, device and
density carry over from the previous phase until changed (defaults: 1.5 mm, no device, 250
punctures/cm^2). Ranges such as "2-3 sessions" are refused: a plan is one concrete schedule
(the plan library takes ranges).

The text form carries days, depth, puncture density and a device's kind, needle count and
passes (stamps: stamps per cm^2). Needle diameters, dose scales and other device settings need
JSON/TOML (``schedule_io.py``); ``str(plan)`` then ends with a bracketed note that
``Schedule.parse`` refuses, and :meth:`Schedule.to_text` raises.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from .._validation import check_date
from ..limits import MAX_SESSIONS, check_text_length
from .devices import Device, Pen, Roller, Stamp
from .schedule import (
    DAYS_PER_MONTH,
    DAYS_PER_WEEK,
    DAYS_PER_YEAR,
    DEFAULT_DENSITY_PER_CM2,
    Schedule,
    Session,
)

__all__ = ["parse_schedule", "format_schedule"]

_TOKEN = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)"
    r"|(?P<word>[a-z][a-z0-9\u00b2]*)"
    r"|(?P<punct>[,;:/()\-\u2013+\[\]])"
    r"|(?P<space>\s+)"
)
_UNITS: dict[str, float] = {
    **dict.fromkeys(("day", "days", "d"), 1.0),
    **dict.fromkeys(("week", "weeks", "wk", "wks", "w"), DAYS_PER_WEEK),
    **dict.fromkeys(("month", "months", "mo", "mos", "mon"), DAYS_PER_MONTH),
    **dict.fromkeys(("year", "years", "yr", "yrs", "y"), DAYS_PER_YEAR),
}
_ADVERBS: dict[str, float] = {
    "daily": 1.0, "weekly": DAYS_PER_WEEK, "fortnightly": 2 * DAYS_PER_WEEK,
    "monthly": DAYS_PER_MONTH, "yearly": DAYS_PER_YEAR, "annually": DAYS_PER_YEAR,
    "annual": DAYS_PER_YEAR,
}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_SESSION_WORDS = {"session", "sessions", "treatment", "treatments", "visit", "visits"}
_DENSITY_WORDS = {"punctures", "puncture", "holes", "channels"}
_AREA_WORDS = {"cm2", "cm\u00b2"}
_KINDS: dict[str, type[Device]] = {
    "roller": Roller, "dermaroller": Roller, "pen": Pen, "dermapen": Pen,
    "stamp": Stamp, "dermastamp": Stamp,
}
_SKIP = {",", ";", ":", "and"}
_VOCABULARY = sorted(set(_UNITS) | set(_ADVERBS) | set(_NUMBER_WORDS) | _SESSION_WORDS
                     | _DENSITY_WORDS | _AREA_WORDS | set(_KINDS) | {
                         "then", "after", "every", "other", "apart", "for", "at", "with", "on",
                         "starting", "from", "mm", "passes", "pass", "needle", "needles",
                         "stamps", "per", "no", "single", "a", "an"})


@dataclass
class _Token:
    kind: str
    value: Any
    pos: int


@dataclass
class _Phase:
    count: int | None = None
    interval: float | None = None
    days: list[float] | None = None  # absolute days ("on days ...")
    gap: float | None = None
    depth: float | None = None
    density: float | None = None
    device: Device | None = None
    pos: int = 0


@dataclass
class _Plan:
    phases: list[_Phase] = field(default_factory=list)
    start_date: dt.date | None = None
    start_day: float | None = None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text.lower())
        self.i = 0

    # Tokens ---------------------------------------------------------------------------
    def _tokenize(self, text: str) -> list[_Token]:
        tokens: list[_Token] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                raise self.error(pos, f"unexpected character {text[pos]!r}")
            kind = m.lastgroup or ""
            raw = m.group()
            if kind == "date":
                try:
                    tokens.append(_Token("date", dt.date.fromisoformat(raw), pos))
                except ValueError:
                    raise self.error(pos, f"{raw!r} is not a valid date (YYYY-MM-DD)") from None
            elif kind == "num":
                value = float(raw)
                if value > 1e15:  # no day, count or setting is this large; inf is refused
                    raise self.error(pos, f"number {raw!r} is too large")
                tokens.append(_Token("num", value, pos))
            elif raw == "[":
                raise ValueError(
                    f"plan text {self.text!r}: the bracketed note says this plan has settings "
                    "the text form cannot carry; read it from its JSON/TOML file"
                )
            elif kind in ("word", "punct") and raw not in _SKIP:  # commas, "and" only separate
                tokens.append(_Token(kind, "-" if raw == "\u2013" else raw, pos))
            pos = m.end()
        return tokens

    def error(self, pos: int | None, message: str) -> ValueError:
        if pos is None:
            pos = self.tokens[self.i].pos if self.i < len(self.tokens) else len(self.text)
        where = self.text[pos:pos + 30] or "the end"
        return ValueError(f"plan text {self.text!r}: at {where!r}: {message}")

    def peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def here(self) -> int:
        """Position of the next token in the text (its length at the end)."""
        t = self.peek()
        return t.pos if t is not None else len(self.text)

    def at_num(self) -> bool:
        t = self.peek()
        return t is not None and t.kind == "num"

    def peek_word(self, offset: int = 0) -> str | None:
        t = self.peek(offset)
        return t.value if t is not None and t.kind in ("word", "punct") else None

    def accept(self, *words: str) -> bool:
        if self.peek_word() in words:
            self.i += 1
            return True
        return False

    def expect(self, words: set[str] | tuple[str, ...], what: str) -> str:
        word = self.peek_word()
        if word in words:
            self.i += 1
            return word  # type: ignore[return-value]
        raise self.error(None, f"expected {what}{self._suggest(words)}")

    def _suggest(self, words: set[str] | tuple[str, ...]) -> str:
        word = self.peek_word()
        if word is None or not word.isalpha():
            return ""
        close = difflib.get_close_matches(word, list(words), n=1)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def number(self, what: str) -> float:
        t = self.peek()
        if t is not None and t.kind == "num":
            self.i += 1
            nxt, after = self.peek(), self.peek(1)
            if nxt is not None and nxt.value == "-" and after is not None and after.kind == "num":
                raise self.error(t.pos, f"a range ({t.value:g}-{after.value:g}) is not a plan; "
                                 "give one number (sr.plans.get() takes choices within "
                                 "a library plan's range)")
            return float(t.value)
        if t is not None and t.kind == "word" and t.value in _NUMBER_WORDS:
            self.i += 1
            return float(_NUMBER_WORDS[t.value])
        if t is not None and t.kind == "word" and t.value in ("a", "an"):
            self.i += 1
            self.accept("single")
            return 1.0
        raise self.error(None, f"expected {what}")

    def count(self) -> int:
        pos = self.here()
        value = self.number("a number of sessions")
        if value != int(value) or not 1 <= value <= MAX_SESSIONS:
            raise self.error(pos, f"the number of sessions must be a whole number >= 1 "
                             f"and <= {MAX_SESSIONS}, got {value:g}")
        return int(value)

    def at_number(self) -> bool:
        t = self.peek()
        return t is not None and (t.kind == "num" or (t.kind == "word" and (
            t.value in _NUMBER_WORDS or (t.value in ("a", "an") and self.peek_word(1) in
                                         _SESSION_WORDS | {"single"}))))

    # Grammar --------------------------------------------------------------------------
    def plan(self) -> _Plan:
        plan = _Plan()
        self.start_clauses(plan)
        if self.accept("no"):
            self.expect(_SESSION_WORDS, "'sessions' after 'no'")
        else:
            plan.phases.append(self.phase(first=True))
            while self.accept("then"):
                gap = self.duration("a duration after 'after'") if self.accept("after") else None
                phase = self.phase(first=False)
                phase.gap = gap
                plan.phases.append(phase)
        self.start_clauses(plan)
        if self.peek() is not None:
            raise self.error(None, "expected 'then' or the end of the plan"
                             + self._suggest(tuple(_VOCABULARY)))
        return plan

    def start_clauses(self, plan: _Plan) -> None:
        while self.peek_word() in ("starting", "from", "start", "beginning"):
            pos = self.here()
            self.i += 1
            self.accept("on", "at")
            t = self.peek()
            if t is not None and t.kind == "date":
                self.i += 1
                if plan.start_date is not None:
                    raise self.error(pos, "the start date is given twice")
                plan.start_date = t.value
            elif self.accept("day"):
                if plan.start_day is not None:
                    raise self.error(pos, "the first day is given twice")
                plan.start_day = self.number("a day number")
            else:
                raise self.error(None, "expected a date YYYY-MM-DD or 'day N'")

    def phase(self, first: bool) -> _Phase:
        phase = _Phase(pos=self.here())
        if (self.peek_word() in _SESSION_WORDS and self.peek_word(1) == "on") or \
                self.peek_word() == "on":
            self.accept(*_SESSION_WORDS)
            self.expect(("on",), "'on'")
            self.accept("day", "days")
            phase.days = [self.number("a day number")]
            while self.at_num():
                phase.days.append(self.number("a day number"))
        elif self.at_number():
            phase.count = self.count()
            self.expect(_SESSION_WORDS, "'sessions'")
        elif self.at_spacing():
            phase.interval = self.spacing()
            if not self.accept("for"):
                raise self.error(None, "say for how long ('for 6 months') or how many "
                                 "sessions ('4 sessions every 4 weeks')")
            if self.at_number() and self.peek_word(1) in _SESSION_WORDS:
                phase.count = self.count()
                self.i += 1
            else:
                pos = self.here()
                span = self.duration("a duration ('6 months')")
                ratio = span / phase.interval
                if abs(ratio - round(ratio)) > 1e-9 * max(1.0, ratio) or round(ratio) < 1:
                    raise self.error(pos, f"{span:g} days is not a whole number of "
                                     f"{phase.interval:g}-day intervals")
                if ratio > MAX_SESSIONS:
                    raise self.error(pos, f"{span:g} days makes {ratio:.0f} sessions; a plan has "
                                     f"at most {MAX_SESSIONS}")
                phase.count = int(round(ratio))
        else:
            raise self.error(None, "expected a phase: '4 sessions ...', 'monthly for 6 months' "
                             "or 'on days 0, 14, 28'" + self._suggest(tuple(_VOCABULARY)))
        self.clauses(phase)
        return phase

    def at_spacing(self) -> bool:
        word = self.peek_word()
        if word in _ADVERBS or word == "every":
            return True
        return self.at_num() and self.peek_word(1) in _UNITS and self.peek_word(2) == "apart"

    def spacing(self) -> float:
        word = self.peek_word()
        if word in _ADVERBS:
            self.i += 1
            return _ADVERBS[word]
        if self.accept("every"):
            if self.accept("other"):
                return 2 * _UNITS[self.expect(set(_UNITS), "a unit after 'every other'")]
            if self.peek_word() in _UNITS:
                return _UNITS[self.expect(set(_UNITS), "a unit")]
            return self.duration("an interval ('4 weeks')")
        interval = self.duration("an interval")
        self.expect(("apart",), "'apart'")
        return interval

    def duration(self, what: str) -> float:
        pos = self.here()
        value = self.number(what)
        unit = self.expect(set(_UNITS), "a unit (days, weeks, months, years)")
        days = value * _UNITS[unit]
        if not days > 0:
            raise self.error(pos, f"a duration must be > 0 days, got {days:g}")
        return days

    def clauses(self, phase: _Phase) -> None:
        while True:
            if phase.interval is None and phase.days is None and self.at_spacing():
                phase.interval = self.spacing()
            elif self.accept("at") or self.at_setting_number():
                self.setting(phase)
            elif self.accept("with"):
                if phase.device is not None:
                    raise self.error(None, "the device is given twice")
                phase.device = self.device()
            elif self.peek_word() == "for" and phase.count is not None:
                raise self.error(None, "give the number of sessions or a duration, not both")
            else:
                return

    def at_setting_number(self) -> bool:
        t = self.peek()
        return t is not None and t.kind == "num" and (
            self.peek_word(1) in {"mm"} | _DENSITY_WORDS or self.peek_word(1) in ("/", "per"))

    def setting(self, phase: _Phase) -> None:
        pos = self.here()
        value = self.number("a depth ('1.5 mm') or a density ('250 punctures/cm2')")
        if self.accept("mm"):
            if phase.depth is not None:
                raise self.error(pos, "the depth is given twice")
            phase.depth = value
            return
        self.accept(*_DENSITY_WORDS)
        self.expect(("/", "per"), "'mm' or 'punctures/cm2'")
        self.expect(_AREA_WORDS, "'cm2'")
        if phase.density is not None:
            raise self.error(pos, "the density is given twice")
        phase.density = value

    def device(self) -> Device:
        pos = self.here()
        self.accept("a", "an")
        kind: type[Device] | None = None
        settings: dict[str, float] = {}

        def put(name: str, value: float) -> None:
            if name in settings:
                raise self.error(pos, f"the device's {name} is given twice")
            settings[name] = value

        while True:
            word = self.peek_word()
            t = self.peek()
            if word in ("derma", "micro", "microneedling", "-"):
                self.i += 1
            elif word in _KINDS and kind is None:
                self.i += 1
                kind = _KINDS[word]
            elif t is not None and t.kind == "num" and self.peek_word(1) in (
                    "-", "needle", "needles", "pass", "passes", "stamps", "stamp"):
                value = self.number("a number")
                self.accept("-")
                unit = self.expect(("needle", "needles", "pass", "passes", "stamps", "stamp"),
                                   "'needles' or 'passes'")
                if unit.startswith("needle"):
                    put("needles", value)
                elif unit.startswith("pass"):
                    put("passes", value)
                else:
                    self.expect(("/", "per"), "'stamps/cm2'")
                    self.expect(_AREA_WORDS, "'cm2'")
                    put("stamps_per_cm2", value)
            else:
                break
        if kind is None:
            raise self.error(pos, "expected a device: roller, pen or stamp"
                             + self._suggest(tuple(_KINDS)))
        args: dict[str, Any] = {}
        for name, value in settings.items():
            if name not in kind.text_fields:
                raise self.error(pos, f"a {kind.kind} has no {name.replace('_', ' ')}")
            args[name] = int(value) if name in ("needles", "passes") and value == int(value) \
                else value
        try:
            return kind(**args)
        except (TypeError, ValueError) as exc:
            raise self.error(pos, str(exc)) from None


def parse_schedule(text: str, *, name: str | None = None, allow_any_depth: bool = False,
                   start_date: dt.date | str | None = None) -> Schedule:
    """Build a :class:`Schedule` from its text form (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"plan text must be a string, got {type(text).__name__}")
    check_text_length("plan text", text)
    if not text.strip():
        raise ValueError("plan text is empty; write e.g. '4 sessions every 4 weeks at 1.5 mm' "
                         "or 'no sessions'")
    parser = _Parser(text)
    plan = parser.plan()
    when = plan.start_date
    if start_date is not None:
        given = check_date("start_date", start_date)
        if when is not None and when != given:
            raise ValueError(f"plan text {text!r} starts on {when}, but start_date={given}")
        when = given
    sessions = _build_sessions(parser, plan)
    return Schedule(sessions, allow_any_depth=allow_any_depth, name=name, start_date=when)


def _build_sessions(parser: _Parser, plan: _Plan) -> list[Session]:
    depth, density, device = 1.5, None, None
    last: float | None = None
    sessions: list[Session] = []
    total = sum(len(p.days) if p.days is not None else (p.count or 1) for p in plan.phases)
    if total > MAX_SESSIONS:  # checked before any session is built
        raise parser.error(0, f"the plan has {total} sessions; a plan has at most "
                           f"{MAX_SESSIONS}")
    for k, phase in enumerate(plan.phases):
        if phase.device is not None and phase.density is not None:
            raise parser.error(phase.pos, "give a device or a density, not both (the device "
                               "sets the density)")
        depth = phase.depth if phase.depth is not None else depth
        if phase.device is not None:
            device, density = phase.device, None
        elif phase.density is not None:
            device, density = None, phase.density
        if phase.days is not None:
            if k == 0 and plan.start_day is not None:
                raise parser.error(phase.pos, "'from day' and 'on days' both give the days")
            if phase.gap is not None:
                raise parser.error(phase.pos, "'after' and 'on days' both give the days")
            days = phase.days
        else:
            count = phase.count or 1
            if count > 1 and phase.interval is None:
                raise parser.error(phase.pos, f"say how often the {count} sessions come "
                                   "('every 4 weeks')")
            interval = phase.interval or 0.0
            if last is None:
                first = plan.start_day or 0.0
            elif phase.gap is not None:
                first = last + phase.gap
            elif phase.interval is not None:  # "then yearly for 2 years": one interval later
                first = last + interval
            else:
                raise parser.error(phase.pos, "say when this session comes: 'then after "
                                   "1 year, 1 session'")
            days = [first + j * interval for j in range(count)]
        for day in days:
            sessions.append(Session(day, depth, density, None, 1.0,  # type: ignore[arg-type]
                                    device))
        last = max(days) if last is None else max(last, *days)
    return sessions


# --------------------------------------------------------------------------------- writing
def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


def _plural(n: int | float, word: str) -> str:
    return f"{_num(n)} {word}" + ("" if n == 1 else "s")


def _split_units(days: float) -> tuple[float, str]:
    if days.is_integer():
        for unit, word in ((DAYS_PER_YEAR, "year"), (DAYS_PER_MONTH, "month"),
                           (DAYS_PER_WEEK, "week")):
            if days % unit == 0:
                return days / unit, word
    return days, "day"


def _duration(days: float) -> str:
    n, word = _split_units(days)
    return _plural(n, word)


def _every(days: float) -> str:
    n, word = _split_units(days)
    return f"every {word}" if n == 1 else f"every {_plural(n, word)}"


def _device_text(device: Device) -> str:
    text = f"a {device.needles}-needle {device.kind}"
    if isinstance(device, Stamp):
        return f"{text}, {_num(device.stamps_per_cm2)} stamps/cm2"
    passes: int = device.passes  # type: ignore[attr-defined]
    return f"{text}, {passes} {'pass' if passes == 1 else 'passes'}"


def _settings(s: Session) -> tuple[Any, ...]:
    return (s.depth_mm, s.density_per_cm2, s.needle_diameter_mm, s.dose_scale, s.device)


def _settings_text(s: Session, previous: Session | None) -> str:
    if previous is not None and _settings(s) == _settings(previous):
        return ""
    text = f" at {_num(s.depth_mm)} mm"
    if s.device is not None:
        return f"{text} with {_device_text(s.device)}"
    prev_density = DEFAULT_DENSITY_PER_CM2 if previous is None else previous.density_per_cm2
    prev_device = None if previous is None else previous.device
    if s.density_per_cm2 != prev_density or prev_device is not None:
        text += f", {_num(s.density_per_cm2)} punctures/cm2"
    return text


@dataclass
class _Run:
    first: int  # index of the first session
    count: int
    interval: float | None  # None: one session


def _runs(sessions: tuple[Session, ...]) -> list[tuple[_Run, str]]:
    """Split sessions into phases, each with how it is reached ('start', 'next', 'gap', 'abs').

    A phase is a maximal run of equal settings and equal intervals whose days the parser
    recomputes exactly (first + k * interval in floating point); anything else falls back to
    absolute days, so the text always reproduces the sessions exactly.
    """
    out: list[tuple[_Run, str]] = []
    i, n = 0, len(sessions)
    while i < n:
        first = sessions[i].day
        if i == 0:
            how = "start"
        else:
            prev = sessions[i - 1].day
            gap = first - prev
            how = "gap" if prev + gap == first and _parses_to(gap) else "abs"
        count, interval = 1, None
        if how != "abs" and i + 1 < n and _settings(sessions[i + 1]) == _settings(sessions[i]):
            step = sessions[i + 1].day - first
            if _parses_to(step) and first + step == sessions[i + 1].day:
                interval, count = step, 2
                while (i + count < n and _settings(sessions[i + count]) == _settings(sessions[i])
                       and first + count * step == sessions[i + count].day):
                    count += 1
        if how == "gap" and interval is not None and first - sessions[i - 1].day == interval:
            how = "next"
        out.append((_Run(i, count, interval), how))
        i += count
    return out


def _parses_to(days: float) -> bool:
    """Return True if the written duration reads back as exactly ``days``."""
    n, word = _split_units(days)
    return float(_num(n)) * _UNITS[word] == days


def _inexpressible(plan: Schedule) -> list[str]:
    problems = []
    for k, s in enumerate(plan.sessions):
        what = []
        if s.dose_scale != 1.0:
            what.append(f"dose_scale={s.dose_scale:g}")
        if s.device is None and s.needle_diameter_mm is not None:
            what.append(f"needle_diameter_mm={s.needle_diameter_mm:g}")
        if s.device is not None and not s.device.is_text_expressible():
            what.append(f"device settings other than {' and '.join(s.device.text_fields)}")
        if what:
            problems.append(f"sessions[{k}] (day {s.day:g}): {', '.join(what)}")
    return problems


def format_schedule(plan: Schedule, *, strict: bool) -> str:
    """Write the text form; ``strict`` raises if a setting needs JSON/TOML."""
    problems = _inexpressible(plan)
    if strict and problems:
        raise ValueError(f"the text form cannot carry {problems[0]}"
                         f"{f' (and {len(problems) - 1} more)' if len(problems) > 1 else ''}; "
                         "save the plan as JSON or TOML")
    head = [f"starting {plan.start_date.isoformat()}"] if plan.start_date else []
    sessions = plan.sessions
    if not sessions:
        return ", ".join([*head, "no sessions"])
    if sessions[0].day != 0:
        head.append(f"from day {_num(sessions[0].day)}")
    parts: list[str] = []
    previous: Session | None = None
    for run, how in _runs(sessions):
        s = sessions[run.first]
        if how == "abs":
            text = f"on day {_num(s.day)}"
        else:
            text = _plural(run.count, "session")
            if run.interval is not None:
                text += f" {_every(run.interval)}"
        text += _settings_text(s, previous)
        if how == "start":
            parts.append(text)
        elif how in ("next", "abs"):
            parts.append(f"then {text}")
        else:
            gap = s.day - sessions[run.first - 1].day
            parts.append(f"then after {_duration(gap)}, {text}")
        previous = sessions[run.first + run.count - 1]
    text = ", ".join([*head, *parts])
    if problems:
        text += f" [+ settings kept only in JSON/TOML: {'; '.join(problems)}]"
    return text

