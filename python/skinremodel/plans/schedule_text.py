"""The text form of plans: ``Schedule.parse(text)`` and ``str(plan)``.

The language is stated in ``schedule_text.lark`` beside this module, the reference grammar;
``docs/clinician.md`` explains it with examples. For instance::

    starting 2025-03-03, 4 sessions every 4 weeks at 1.5 mm with a 12-needle pen, 2 passes,
    then yearly for 2 years

Reading: lark's LALR(1) parser (linear time) turns the text into a tree, and :class:`_ToPlan`
turns the tree into phases, checking what the grammar does not say (whole numbers of sessions,
durations > 0, settings given twice, a device's settings); ``_build_sessions`` lays out the
sessions. A "then" phase starts one interval after the previous phase's last session unless
"after ..." says otherwise; a phase without an interval ("1 session") needs "after". Depth,
device and density carry over from the previous phase until changed (defaults: 1.5 mm, no
device, 250 punctures/cm^2). Ranges such as "2-3 sessions" are refused: a plan is one concrete
schedule (the plan library takes ranges). Every refusal is a ``ValueError`` that quotes the text,
the place (column, and line if the text has several) and what was expected, in the words of the
language.

The text form carries days, depth, puncture density and a device's kind, needle count and
passes (stamps: stamps per cm^2). Needle diameters, dose scales and other device settings need
JSON/TOML (``schedule_io.py``); ``str(plan)`` then ends with a bracketed note that
``Schedule.parse`` refuses, and :meth:`Schedule.to_text` raises.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any, NamedTuple

from lark import Lark, Token, Transformer
from lark.common import LexerConf
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer
from lark.parsers.lalr_analysis import Shift

from .._validation import check_date
from ..limits import MAX_SESSIONS, check_text_length
from .devices import Device, Pen, Roller, Stamp
from .session import (
    DAYS_PER_MONTH,
    DAYS_PER_WEEK,
    DAYS_PER_YEAR,
    DEFAULT_DENSITY_PER_CM2,
    Session,
)

if TYPE_CHECKING:  # pragma: no cover - the plan is read through its attributes
    from .schedule import Schedule

__all__ = ["parse_schedule", "format_schedule"]

#: Days of each unit and spacing word, by its name in the grammar.
_DAYS: dict[str, float] = {
    "days": 1.0,
    "weeks": DAYS_PER_WEEK,
    "months": DAYS_PER_MONTH,
    "years": DAYS_PER_YEAR,
    "daily": 1.0,
    "weekly": DAYS_PER_WEEK,
    "fortnightly": 2 * DAYS_PER_WEEK,
    "monthly": DAYS_PER_MONTH,
    "yearly": DAYS_PER_YEAR,
}
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
#: The device settings the text form writes: every device's text_fields, in order, once.
_DEVICE_SETTINGS = tuple(dict.fromkeys(f for d in (Roller, Pen, Stamp) for f in d.text_fields))


class _TextError(Exception):
    """A refusal at a place in the text; ``parse_schedule`` quotes the text around it."""

    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos, self.message = pos, message


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


class _Item(NamedTuple):
    """A value read at a place: a clause ("depth", 1.5), an interval, a duration, a start."""

    kind: str
    value: Any
    pos: int


# ------------------------------------------------------------------------------- parser
class _KeepWords:
    """Keeps the terminals no rule uses (any other word, a range): the parser refuses them."""

    always_accept = ("WORD", "RANGE")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        return stream


class _Lexer(Lexer):
    """Lark's basic lexer for the grammar's terminals, about five times faster.

    One regular expression of the grammar's patterns, tried in lark's order (priority, then
    length); a word is read whole and then looked up among the keywords, as lark's own lexer
    does, and a keyword in ``%ignore`` ("and") is dropped.
    """

    def __init__(self, conf: LexerConf) -> None:
        word = re.compile(conf.terminals_by_name["WORD"].pattern.to_regexp())
        keywords = {
            t.pattern.value: t.name
            for t in conf.terminals
            if t.pattern.type == "str" and word.fullmatch(t.pattern.value)
        }
        others = sorted(
            (t for t in conf.terminals if t.pattern.value not in keywords),
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        self.match = re.compile(
            "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in others)
        ).match
        self.keywords, self.ignore, self.callbacks = keywords, set(conf.ignore), conf.callbacks

    def lex(self, text: str) -> Iterator[Token]:  # type: ignore[override]
        pos, keywords, ignore, callbacks = 0, self.keywords, self.ignore, self.callbacks
        while pos < len(text):
            m = self.match(text, pos)
            if m is None:
                line = text.count("\n", 0, pos) + 1
                raise UnexpectedCharacters(  # type: ignore[no-untyped-call]
                    text, pos, line, pos - text.rfind("\n", 0, pos)
                )
            kind = m.lastgroup or ""
            value = m.group()
            kind = keywords.get(value, kind) if kind == "WORD" else kind
            if kind not in ignore:
                token = Token(kind, value, pos)
                yield callbacks[kind](token) if kind in callbacks else token
            pos = m.end()


def _number_token(token: Token) -> Token:
    value = float(token)
    if value > 1e15:  # no day, count or setting is this large; inf is refused
        raise _TextError(token.start_pos or 0, f"number {str(token)!r} is too large")
    return token.update(value=value)


def _date_token(token: Token) -> Token:
    try:
        return token.update(value=dt.date.fromisoformat(token))
    except ValueError:
        raise _TextError(
            token.start_pos or 0, f"{str(token)!r} is not a valid date (YYYY-MM-DD)"
        ) from None


@functools.cache
def _parser() -> Lark:
    """Build the parser of ``schedule_text.lark`` (on first use, about 0.1 s)."""
    grammar = files(__package__).joinpath("schedule_text.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        start="plan",
        parser="lalr",
        lexer=_Lexer,
        postlex=_KeepWords(),
        transformer=_ToPlan(),
        maybe_placeholders=True,
        lexer_callbacks={"NUMBER": _number_token, "DATE": _date_token},
    )


@functools.cache
def _lexer() -> _Lexer:
    return _Lexer(_parser().lexer_conf)


def _pos(children: list[Any]) -> int:
    """Where the first of ``children`` that has a place in the text starts."""
    for child in children:
        if isinstance(child, Token):
            return child.start_pos or 0
        if isinstance(child, _Item):
            return child.pos
    return 0


def _item(kind: str, value: Any) -> Any:
    """Make a rule whose meaning is its name: a word read at a place (``weekly``, ``pen``)."""
    return lambda self, children: _Item(kind, value, _pos(children))


def _setting(kind: str) -> Any:
    """Make a rule whose value is its number's ("at 1.5 mm": depth 1.5)."""
    return lambda self, children: _Item(kind, children[0].value, _pos(children))


def _unit(days: float) -> Any:
    return lambda self, children: days


class _ToPlan(Transformer[Token, _Plan]):
    """Builds the phases of a plan while it is parsed; each method is a rule of the grammar."""

    days, weeks, months, years = (_unit(_DAYS[u]) for u in ("days", "weeks", "months", "years"))
    daily, weekly, fortnightly, monthly, yearly = (
        _item("interval", _DAYS[w]) for w in ("daily", "weekly", "fortnightly", "monthly", "yearly")
    )
    roller, pen, stamp = _item("kind", Roller), _item("kind", Pen), _item("kind", Stamp)
    device_word = _item("device_word", None)
    depth, density, needles, passes, stamps_per_cm2 = (
        _setting(k) for k in ("depth", "density", *_DEVICE_SETTINGS)
    )

    def plan(self, children: list[Any]) -> _Plan:
        plan = _Plan()
        for item in children:
            if isinstance(item, _Phase):
                plan.phases.append(item)
            elif isinstance(item.value, dt.date):
                if plan.start_date is not None:
                    raise _TextError(item.pos, "the start date is given twice")
                plan.start_date = item.value
            else:
                if plan.start_day is not None:
                    raise _TextError(item.pos, "the first day is given twice")
                plan.start_day = item.value
        return plan

    def starting(self, children: list[Any]) -> _Item:
        return _Item("start", children[-1].value, _pos(children))

    def next_phase(self, children: list[Any]) -> _Phase:
        gap, phase = children
        phase.gap = None if gap is None else gap.value
        return phase

    def count_phase(self, children: list[Any]) -> _Phase:
        count, *clauses = children
        return _clauses(_Phase(count=count.value, pos=count.pos), clauses)

    def spacing_phase(self, children: list[Any]) -> _Phase:
        interval, span, *clauses = children
        phase = _Phase(interval=interval.value, pos=interval.pos)
        if span.kind == "count":
            phase.count = span.value
        else:  # "for 6 months": a whole number of intervals
            ratio = span.value / phase.interval
            if abs(ratio - round(ratio)) > 1e-9 * max(1.0, ratio) or round(ratio) < 1:
                raise _TextError(
                    span.pos,
                    f"{span.value:g} days is not a whole number of "
                    f"{phase.interval:g}-day intervals",
                )
            if ratio > MAX_SESSIONS:
                raise _TextError(
                    span.pos,
                    f"{span.value:g} days makes {ratio:.0f} sessions; "
                    f"a plan has at most {MAX_SESSIONS}",
                )
            phase.count = int(round(ratio))
        return _clauses(phase, clauses)

    def days_phase(self, children: list[Any]) -> _Phase:
        first, *rest = children
        days = [first.value] + [t.value for t in rest if isinstance(t, Token)]
        return _clauses(
            _Phase(days=days, pos=first.pos), [c for c in rest if not isinstance(c, Token)]
        )

    def count(self, children: list[Any]) -> _Item:
        (number,) = children
        if number.value != int(number.value) or not 1 <= number.value <= MAX_SESSIONS:
            raise _TextError(
                number.pos,
                f"the number of sessions must be a whole number "
                f">= 1 and <= {MAX_SESSIONS}, got {number.value:g}",
            )
        return _Item("count", int(number.value), number.pos)

    def number(self, children: list[Any]) -> _Item:
        word = children[0]
        value = word.value if word.type == "NUMBER" else float(_NUMBER_WORDS.get(word, 1))
        return _Item("number", value, word.start_pos)

    def duration(self, children: list[Any]) -> _Item:
        number, unit = children
        days = number.value * unit
        if not days > 0:
            raise _TextError(number.pos, f"a duration must be > 0 days, got {days:g}")
        return _Item("duration", days, number.pos)

    def spacing(self, children: list[Any]) -> _Item:  # "every 4 weeks"
        return _Item("interval", children[-1].value, _pos(children))

    def every_unit(self, children: list[Any]) -> _Item:
        return _Item("interval", children[-1], _pos(children))

    def every_other(self, children: list[Any]) -> _Item:
        return _Item("interval", 2 * children[-1], _pos(children))

    def apart(self, children: list[Any]) -> _Item:  # "2 weeks apart"
        number, unit, _ = children
        duration = self.duration([_Item("number", number.value, number.start_pos), unit])
        return duration._replace(kind="interval")

    def device(self, children: list[Any]) -> _Item:  # "with a 12-needle pen"
        *settings, kind = (c for c in children if isinstance(c, _Item))
        return _Item("device", (kind.value, settings), _pos(children))


def _clauses(phase: _Phase, clauses: list[_Item]) -> _Phase:
    """Apply a phase's clauses in order; a device's settings may follow it directly."""
    device: _Item | None = None  # the device being read, until another clause comes
    for item in clauses:
        if item.kind in _DEVICE_SETTINGS or item.kind == "device_word":
            if device is None:
                raise _TextError(
                    item.pos,
                    "a device setting belongs right after its device "
                    "('with a 12-needle pen, 2 passes')",
                )
            device.value[1].append(item)
            continue
        if device is not None:
            phase.device, device = _device(device), None
        if item.kind == "device":
            if phase.device is not None:
                raise _TextError(item.pos, "the device is given twice")
            device = _Item("device", (item.value[0], list(item.value[1])), item.pos)
        elif item.kind == "interval":
            if phase.days is not None:
                raise _TextError(item.pos, "'on days' and an interval both give the days")
            if phase.interval is not None:
                raise _TextError(item.pos, "the interval is given twice")
            phase.interval = item.value
        elif getattr(phase, item.kind) is not None:  # depth, density
            raise _TextError(item.pos, f"the {item.kind} is given twice")
        else:
            setattr(phase, item.kind, item.value)
    if device is not None:
        phase.device = _device(device)
    return phase


def _device(item: _Item) -> Device:
    kind, settings = item.value
    args: dict[str, Any] = {}
    for setting in settings:
        name, value = setting.kind, setting.value
        if name == "device_word":
            continue
        if name in args:
            raise _TextError(item.pos, f"the device's {name} is given twice")
        args[name] = value
    for name, value in args.items():
        if name not in kind.text_fields:
            raise _TextError(item.pos, f"a {kind.kind} has no {name.replace('_', ' ')}")
        if name in ("needles", "passes") and value == int(value):
            args[name] = int(value)
    try:
        return kind(**args)
    except (TypeError, ValueError) as exc:
        raise _TextError(item.pos, str(exc)) from None


# ------------------------------------------------------------------------------- errors
#: How expected words are named in a message, in this order: (words that call for the name,
#: words it covers, the name). Words no entry covers are quoted as they are.
_EXPECTED: list[tuple[set[str], set[str], str]] = [
    (set(call.split()), set((covers or call).split()), name)
    for call, covers, name in [
        ("then", "", "'then'"),
        (
            "NUMBER zero one two three four five six seven eight nine ten eleven twelve a an",
            "",
            "a number",
        ),
        (
            "weeks",
            "day days d week weeks wk wks w month months mo mos mon year years yr yrs y",
            "a unit (days, weeks, months, years)",
        ),
        ("days", "day days", "'days'"),
        ("session sessions treatment treatments visit visits", "", "'sessions'"),
        (
            "every daily weekly fortnightly monthly yearly annually annual",
            "",
            "an interval ('every 4 weeks', 'monthly')",
        ),
        ("at", "", "a depth or density ('at 1.5 mm')"),
        ("mm", "", "'mm'"),
        ("punctures puncture holes channels / per", "", "'punctures/cm2'"),
        ("cm2 cm\u00b2", "", "'cm2'"),
        ("with", "", "a device ('with a pen')"),
        ("roller dermaroller pen dermapen dermastamp", "", "a device: roller, pen or stamp"),
        ("needle needles", "", "'needles'"),
        ("pass passes", "", "'passes'"),
        ("stamp stamps", "", "'stamps/cm2'"),
        ("starting from start beginning", "", "a start ('starting 2025-03-03', 'from day 10')"),
        ("$END", "", "the end of the plan"),
        ("derma micro microneedling DASH single", "", ""),  # decorations: not worth naming
    ]
]
#: Where many words could come, one message says it better: (words all expected, message).
_EXPECTED_AT = [
    (
        {"on", "every"},
        "expected a phase: '4 sessions ...', 'monthly for 6 months' or 'on days 0, 14, 28'",
    ),
    ({"roller"}, "expected a device: roller, pen or stamp"),
    ({"DATE"}, "expected a date YYYY-MM-DD or 'day N'"),
]


def _accepted(exc: UnexpectedToken) -> set[str]:
    """Return the terminals the parser would take at the error: those that reach a shift.

    ``exc.expected`` can name more (an LALR state is shared by several places), and lark's own
    ``exc.accepts`` runs the reductions with their values; this runs them on the states alone.
    """
    state = exc.interactive_parser.parser_state
    states, end = state.parse_conf.states, state.parse_conf.end_state
    accepted = set()
    for terminal in states[state.state_stack[-1]]:
        path = list(state.state_stack)
        while terminal.isupper() and terminal in states[path[-1]]:
            action, arg = states[path[-1]][terminal]
            if action is Shift:
                accepted.add(terminal)
                break
            del path[len(path) - len(arg.expansion) :]  # reduce by the rule ``arg``
            path.append(states[path[-1]][arg.origin.name][1])
            if path[-1] == end:  # the whole plan is read: "$END"
                accepted.add(terminal)
                break
    return accepted


def _words(names: set[str]) -> set[str]:
    """Return the expected words of the grammar (``"weeks"``, ``"NUMBER"``) for terminal names."""
    out = set()
    for name in names:
        pattern = _parser().get_terminal(name).pattern if name != "$END" else None
        out.add(pattern.value if pattern is not None and pattern.type == "str" else name)
    return out


def _syntax_error(exc: UnexpectedInput, text: str) -> _TextError:
    """Say what is wrong at a place the grammar does not allow, in the words of the language."""
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = text[pos]
        if char == "[":
            raise ValueError(
                f"plan text {text!r}: the bracketed note says this plan has settings "
                "the text form cannot carry; read it from its JSON/TOML file"
            )
        return _TextError(pos, f"unexpected character {char!r}")
    assert isinstance(exc, UnexpectedToken)
    token, expected = exc.token, _words(_accepted(exc))
    pos = len(text) if token.type == "$END" else token.start_pos
    if token.type == "RANGE":
        low, high = (float(x) for x in token.replace("\u2013", "-").split("-"))
        return _TextError(
            pos,
            f"a range ({low:g}-{high:g}) is not a plan; give one number "
            "(sr.plans.get() takes choices within a library plan's range)",
        )
    if token == "for" and "then" in expected:
        return _TextError(pos, "give the number of sessions or a duration, not both")
    if expected == {"for"}:
        return _TextError(
            pos,
            "say for how long ('for 6 months') or how many sessions ('4 sessions every 4 weeks')",
        )
    message = next((m for words, m in _EXPECTED_AT if words <= expected), None)
    if message is None:
        named, left = [], set(expected)
        for call, covers, name in _EXPECTED:
            if call & left:
                named += [name] if name else []
                left -= covers
        named += sorted(f"'{w}'" for w in left) or ([] if named else ["more"])
        message = (
            "expected " + (", ".join(named[:-1]) + " or " if len(named) > 1 else "") + named[-1]
        )
    if token.type == "WORD" or token.type.isalpha():  # a word: the closest expected word
        close = difflib.get_close_matches(token, [w for w in expected if w.isalpha()], n=1)
        message += f" (did you mean {close[0]!r}?)" if close else ""
    return _TextError(pos, message)


def _refusal(text: str, error: _TextError) -> ValueError:
    pos = error.pos
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    where = f"line {line}, column {column}" if "\n" in text.strip() else f"column {column}"
    return ValueError(
        f"plan text {text!r}: {where}, at {text[pos : pos + 30] or 'the end'!r}: {error.message}"
    )


def parse_schedule(
    text: str, *, start_date: dt.date | str | None = None
) -> tuple[list[Session], dt.date | None]:
    """Read the sessions and start date of a plan's text form (see ``schedule_text.lark``).

    ``Schedule.parse`` builds the plan from them; ``start_date`` must agree with a date the
    text gives.
    """
    if not isinstance(text, str):
        raise TypeError(f"plan text must be a string, got {type(text).__name__}")
    check_text_length("plan text", text)
    if not text.strip():
        raise ValueError(
            "plan text is empty; write e.g. '4 sessions every 4 weeks at 1.5 mm' or 'no sessions'"
        )
    lowered = text.lower()
    try:
        try:
            plan: _Plan = _parser().parse(lowered)  # type: ignore[assignment]
        except UnexpectedToken as exc:  # a word out of place: first any bad word or character
            for _ in _lexer().lex(lowered):
                pass
            raise _syntax_error(exc, text) from None
        except UnexpectedInput as exc:
            raise _syntax_error(exc, text) from None
        sessions = _build_sessions(plan)
    except UnexpectedCharacters as exc:
        raise _refusal(text, _syntax_error(exc, text)) from None
    except _TextError as exc:
        raise _refusal(text, exc) from None
    when = plan.start_date
    if start_date is not None:
        given = check_date("start_date", start_date)
        if when is not None and when != given:
            raise ValueError(f"plan text {text!r} starts on {when}, but start_date={given}")
        when = given
    return sessions, when


def _build_sessions(plan: _Plan) -> list[Session]:
    depth, density, device = 1.5, None, None
    last: float | None = None
    sessions: list[Session] = []
    total = sum(len(p.days) if p.days is not None else (p.count or 1) for p in plan.phases)
    if total > MAX_SESSIONS:  # checked before any session is built
        raise _TextError(0, f"the plan has {total} sessions; a plan has at most {MAX_SESSIONS}")
    for k, phase in enumerate(plan.phases):
        if phase.device is not None and phase.density is not None:
            raise _TextError(
                phase.pos, "give a device or a density, not both (the device sets the density)"
            )
        depth = phase.depth if phase.depth is not None else depth
        if phase.device is not None:
            device, density = phase.device, None
        elif phase.density is not None:
            device, density = None, phase.density
        if phase.days is not None:
            if k == 0 and plan.start_day is not None:
                raise _TextError(phase.pos, "'from day' and 'on days' both give the days")
            if phase.gap is not None:
                raise _TextError(phase.pos, "'after' and 'on days' both give the days")
            days = phase.days
        else:
            count = phase.count or 1
            if count > 1 and phase.interval is None:
                raise _TextError(
                    phase.pos, f"say how often the {count} sessions come ('every 4 weeks')"
                )
            interval = phase.interval or 0.0
            if last is None:
                first = plan.start_day or 0.0
            elif phase.gap is not None:
                first = last + phase.gap
            elif phase.interval is not None:  # "then yearly for 2 years": one interval later
                first = last + interval
            else:
                raise _TextError(
                    phase.pos, "say when this session comes: 'then after 1 year, 1 session'"
                )
            days = [first + j * interval for j in range(count)]
        for day in days:
            session = Session(day, depth, density, None, 1.0, device)  # type: ignore[arg-type]
            sessions.append(session)
        last = max(days) if last is None else max(last, *days)
    return sessions


# --------------------------------------------------------------------------------- writing
def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(float(x))


def _plural(n: int | float, word: str) -> str:
    return f"{_num(n)} {word}" + ("" if n == 1 else "s")


def _split_units(days: float) -> tuple[float, str]:
    if days.is_integer():
        for unit, word in (
            (DAYS_PER_YEAR, "year"),
            (DAYS_PER_MONTH, "month"),
            (DAYS_PER_WEEK, "week"),
        ):
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
                while (
                    i + count < n
                    and _settings(sessions[i + count]) == _settings(sessions[i])
                    and first + count * step == sessions[i + count].day
                ):
                    count += 1
        if how == "gap" and interval is not None and first - sessions[i - 1].day == interval:
            how = "next"
        out.append((_Run(i, count, interval), how))
        i += count
    return out


def _parses_to(days: float) -> bool:
    """Return True if the written duration reads back as exactly ``days``."""
    n, word = _split_units(days)
    return float(_num(n)) * _DAYS[word + "s"] == days


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
        raise ValueError(
            f"the text form cannot carry {problems[0]}"
            f"{f' (and {len(problems) - 1} more)' if len(problems) > 1 else ''}; "
            "save the plan as JSON or TOML"
        )
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
