"""Parse speed of the plan text form (``Schedule.parse``), and its results for an equality check.

Run:  python benchmarks/bench_schedule_text.py [--rounds 15] [--min-ms 100]
      python benchmarks/bench_schedule_text.py --baseline main     # A/B in one process
      python benchmarks/bench_schedule_text.py --save-results FILE  # results of a broad corpus
      python benchmarks/bench_schedule_text.py --check-results FILE # the same texts, compared

Timing (issue 11: a parser stated as a grammar must not be much slower than the hand-written
one): process CPU time (``time.process_time``) per parsed text, for groups of a representative
corpus: the plan library, the clinic phrases of the tests, plans with devices and dates, long
plans near the limits (1,000 sessions, 10,000 characters) and refused texts (the error path).
Every round measures every group (and, with ``--baseline``, both parsers) in turn, so a busy
moment of the shared machine falls on all of them; medians over rounds, with the spread
(lowest and highest round). ``--baseline REF`` loads ``schedule_text.py`` as it is at git REF
next to the installed one and reports the ratio installed / baseline. The first parse in a new
process (import and, for a grammar, building the parser) is measured separately.

Results: ``--save-results`` parses a broad corpus (the timing corpus, every string literal of
the Python tests and the plan texts in their TOML snippets, the property suite's text
strategies, the round-trip test's random plans, the docs' examples,
20,000 seeded random
word sequences over the language's vocabulary, 20,000 plans generated from its constructs
and 10,000 one-word mutations of the accepted texts) and saves, per text, ``str(plan)`` and
``plan.to_dict()`` or the exception's type and message (gzipped JSON). ``--check-results``
parses the saved texts again and reports any difference: a plan that differs, a text that is
now refused or now accepted, another exception type. Changed error messages are counted and
sampled, not failed. It also checks ``Schedule.parse(str(plan)) == plan`` for every result.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import importlib.util
import json
import random
import re
import statistics
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import skinremodel as sr
from skinremodel.plans import schedule_text
from timing import cpu_per_call  # same folder: run as python benchmarks/bench_schedule_text.py

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "python"
MODULE = "python/skinremodel/plans/schedule_text.py"  # --baseline: refs with this layout

# ------------------------------------------------------------------------------ the corpus
CLINIC = [
    "4 sessions every 4 weeks at 1.5 mm, then yearly for 2 years",
    "3 sessions 2 weeks apart at 1 mm",
    "Monthly for 6 months, then annually for 1 year",
    "every 6 weeks for 4 sessions at 0.5mm",
    "four sessions every other week",
    "sessions on days 0, 14 and 35 at 2 mm",
    "from day 10, 2 sessions every 10.5 days, then after 3 months, 1 session at 2.5 mm",
    "a single session",
    "no sessions",
    "2 SESSIONS EVERY 2 WKS; THEN AFTER A YEAR, ONE SESSION AT 1 MM",
    "monthly for 6 months then yearly for 2 years",
    "on days 0, 7, 30 at 0.5 mm",
]
DEVICES_AND_DATES = [
    "3 sessions every 4 weeks at 1 mm with a 12-needle pen, 3 passes, then 2 sessions every "
    "6 weeks at 1.5 mm, 500 punctures/cm2",
    "2 sessions every month with a dermaroller, 10 passes",
    "1 session with a 20-needle stamp, 4 stamps/cm2",
    "starting 2025-03-03, 3 sessions every 2 weeks at 1 mm with a derma roller",
    "starting 2025-03-03, 4 sessions every 4 weeks at 1 mm with a 12-needle pen, 2 passes, "
    "then yearly for 2 years",
    "3 sessions every 4 weeks at 1.0 mm with a 12-needle pen, 1 pass, then after 1 year, 1 session",
    "starting 2025-06-02, 5 sessions every 30 days at 1.5 mm with a 192-needle roller, "
    "15 passes, then after 6 months, 1 session at 1 mm with a 35-needle stamp, 2 stamps/cm2",
]
REFUSED = [
    "2-3 sessions every 2 weeks",
    "4 sessions every 4 wekks",
    "4 sessions at 1.5 mm",
    "4 sessions every 4 weeks then 1 session",
    "monthly at 1 mm",
    "monthly for 45 days",
    "2 sessions every week with a laser",
    "2 sessions every week with a pen 4 stamps/cm2",
    "2 sessions every week with a pen, 500 punctures/cm2",
    "2.5 sessions every week",
    "4 sessions every 4 weeks at 1.5 mm at 1 mm",
    "starting 2025-02-30, 1 session",
    "4 sessions every 4 weeks #",
    "1001 sessions every 7 days",
    "every six wekks",
]


def library_texts() -> list[str]:
    """The plan library: every plan with its defaults and with each allowed choice."""
    texts = [str(p) for p in sr.plans.all().values()]
    texts += [
        str(p)
        for p in sr.plans.all(device=sr.Device.pen(passes=3), start_date="2025-06-02").values()
    ]
    for name in sr.plans.list():
        lib = sr.plans.LIBRARY[name]
        for n in range(lib.sessions[0], lib.sessions[1] + 1):
            texts.append(str(sr.plans.get(name, sessions=n)))
        for k in range(lib.touch_ups[0], lib.touch_ups[1] + 1):
            texts.append(str(sr.plans.get(name, touch_ups=k)))
    return list(dict.fromkeys(texts))


def long_texts() -> dict[str, str]:
    """Plans near the limits: 1,000 sessions, and texts just under 10,000 characters."""
    days = " ".join(str(7 * k) for k in range(1000))
    phases = []
    for k in range(1000):
        depth = ("1", "1.5", "2")[k % 3]
        phases.append(
            f"1 session at {depth} mm" if k == 0 else f"then after 1 week, 1 session at {depth} mm"
        )
    alternating = ", ".join(phases)
    alternating = alternating[: alternating.rfind(", then", 0, 10_000)]
    kinds = (sr.Device.pen, sr.Device.roller, lambda passes: sr.Device.stamp(passes / 2))
    devices = sr.Schedule(
        [sr.Session(7.0 * k, 1.5, device=kinds[k % 3](passes=1 + k % 4)) for k in range(160)],
        start_date="2025-06-02",
    )
    device_text = str(devices)
    while len(device_text) > 10_000:
        devices = devices[:-1]
        device_text = str(devices)
    return {
        "1,000 sessions, short text": "1000 sessions every 7 days at 1.5 mm",
        "1,000 days listed": f"on days {days} at 1.5 mm",
        "phases near 10k chars": alternating,
        "devices, date, near 10k chars": device_text,
    }


def timing_groups() -> dict[str, list[str]]:
    groups = {
        "plan library": library_texts(),
        "clinic phrases": CLINIC,
        "devices and dates": DEVICES_AND_DATES,
    }
    groups.update({name: [text] for name, text in long_texts().items()})
    groups["refused (error path)"] = REFUSED
    for name, texts in groups.items():
        assert all(len(t) <= 10_000 for t in texts), name
    return groups


def _strings_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
            out += re.findall(r"""text\s*=\s*["']([^"'\n]*)["']""", node.value)
    return out


def _property_texts(n: int) -> list[str]:
    """Examples of the property suite's plan-text strategies (tests/python/properties.py)."""
    from hypothesis import given, settings

    sys.path.insert(0, str(TESTS))
    import properties

    drawn: list[str] = []
    for strategy in (
        properties.plan_text,
        properties.templates,
        properties.st.lists(properties.words, max_size=14).map(" ".join),
    ):

        @settings(max_examples=n, derandomize=True, database=None, deadline=None)
        @given(strategy)
        def collect(text: str) -> None:
            drawn.append(text)

        collect()
    return drawn


def _round_trip_texts() -> list[str]:
    """The random plans of test_text_round_trip_for_random_plans, written out."""
    import numpy as np

    sys.path.insert(0, str(TESTS))
    from test_schedule_language import _random_plan

    rng = np.random.default_rng(4)
    return [str(_random_plan(rng)) for _ in range(300)]


VOCABULARY = (
    "session sessions treatment treatments visit visits a an single no then after every other "
    "apart for at with on day days d week weeks wk wks w month months mo mos mon year years yr "
    "yrs y daily weekly fortnightly monthly yearly annually annual zero one two three four five "
    "six seven eight nine ten eleven twelve starting from start beginning mm punctures puncture "
    "holes channels per cm2 cm\u00b2 needle needles pass passes stamp stamps roller dermaroller "
    "pen dermapen dermastamp derma micro microneedling and , ; : / - \u2013 ( ) + ] [ # x"
).split()
NUMBERS = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "7",
    "12",
    "1.5",
    "2.5",
    "0.5",
    "10.5",
    "30",
    "365",
    "1000",
    "1001",
    ".5",
    "1e3",
    "1e400",
    "2025-01-01",
    "2025-02-30",
    "9999-12-31",
    "3-4",
    "12-",
]


def fuzz_texts(n: int, seed: int = 11) -> list[str]:
    """Seeded random word sequences over the vocabulary: the edges of the language."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.randint(1, 14)
        out.append(
            " ".join(rng.choice(VOCABULARY if rng.random() < 0.7 else NUMBERS) for _ in range(k))
        )
    return out


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def _generated_phase(rng: random.Random) -> str:
    """A phase built from the language's constructs, its clauses in random order."""

    def num(whole: bool = False) -> str:
        return _pick(
            rng,
            "1",
            "2",
            "3",
            "4",
            "6",
            "10",
            "12",
            "one",
            "two",
            "four",
            "twelve",
            "a",
            "an",
            "a single",
            *(() if whole else ("0.5", "1.5")),
        )

    def unit() -> str:
        return _pick(
            rng,
            "day",
            "days",
            "d",
            "week",
            "weeks",
            "wk",
            "wks",
            "w",
            "month",
            "months",
            "mo",
            "mos",
            "mon",
            "year",
            "years",
            "yr",
            "yrs",
            "y",
        )

    def spacing() -> str:
        return _pick(
            rng,
            f"every {num()} {unit()}",
            f"every {unit()}",
            f"every other {unit()}",
            f"{_pick(rng, '1', '2', '4', '10.5')} {unit()} apart",
            _pick(rng, "daily", "weekly", "fortnightly", "monthly", "yearly", "annually", "annual"),
        )

    session = _pick(rng, "session", "sessions", "treatment", "treatments", "visit", "visits")
    kind = rng.randrange(3)
    name = _pick(
        rng,
        *(
            ("roller", "dermaroller", "derma roller", "derma-roller"),
            ("pen", "dermapen", "micro pen", "microneedling pen"),
            ("stamp", "dermastamp"),
        )[kind],
    )
    items = [
        f"{_pick(rng, '12', '20', '35', '192')}{_pick(rng, '-', ' ')}"
        f"{_pick(rng, 'needle', 'needles')}",
        f"{_pick(rng, '1', '2', '4.5')} {_pick(rng, 'stamps', 'stamp')}"
        f"{_pick(rng, '/', ' per ')}cm2"
        if kind == 2 or rng.random() < 0.1
        else f"{_pick(rng, '1', '2', '3', '15')} {_pick(rng, 'pass', 'passes')}",
    ]
    device = [x for x in items if rng.random() < 0.6 or (kind == 2 and "stamp" in x)]
    device.insert(rng.randint(0, len(device)), name)
    clauses = [
        f"with {_pick(rng, 'a ', 'an ', '')}{' '.join(device)}",
        f"{_pick(rng, 'at ', '')}{_pick(rng, '1', '1.5', '2', '2.5', '0.5')} mm",
        f"{_pick(rng, 'at ', '')}{_pick(rng, '100', '250', '500')} "
        f"{_pick(rng, 'punctures', 'puncture', 'holes', 'channels', '')}"
        f"{_pick(rng, '/', ' per ')}{_pick(rng, 'cm2', 'cm²')}",
    ]
    clauses = [c for c in clauses if rng.random() < 0.4]
    if len(clauses) == 3 and rng.random() < 0.8:
        clauses.pop(0)
    form = rng.randrange(4)
    if form == 0:
        head = f"{num(whole=True)} {session}"
        clauses.append(spacing())
    elif form == 1:
        head = f"{spacing()} for " + (
            f"{num(whole=True)} {session}" if rng.random() < 0.5 else f"{num()} {unit()}"
        )
    elif form == 2:
        days = " ".join(
            _pick(rng, "0", "7", "14", "30.5", "100", "365") for _ in range(rng.randint(1, 4))
        )
        head = f"{_pick(rng, session + ' ', '')}on {_pick(rng, 'day ', 'days ', '')}{days}"
    else:
        head = _pick(rng, "1 session", "one session", "a session", "a single session")
    rng.shuffle(clauses)
    return " ".join([head, *clauses])


def generated_texts(n: int, seed: int = 13) -> list[str]:
    """Plans generated from the language's constructs (mostly valid), with random separators."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):

        def start() -> str:
            return (
                _pick(rng, "starting", "from", "start", "beginning")
                + _pick(rng, " ", " on ", " at ")
                + _pick(rng, "2025-01-31", "day 3", "day 12.25", "day two", "2024-02-29")
            )

        parts = [start()] if rng.random() < 0.3 else []
        parts.append(_generated_phase(rng))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            after = (
                f"after {_pick(rng, '1', '2', '6', 'a', 'one')} "
                f"{_pick(rng, 'week', 'months', 'year', 'days')} "
                if rng.random() < 0.5
                else ""
            )
            parts.append(f"then {after}{_generated_phase(rng)}")
        if rng.random() < 0.15:
            parts.append(start())
        sep = _pick(rng, " ", ", ", "; ", " and ", ": ")
        text = sep.join(parts)
        out.append(text.upper() if rng.random() < 0.05 else text)
    return out


def _mutations(texts: list[str], n: int, seed: int = 12) -> list[str]:
    """Valid texts with one word dropped, doubled, swapped or replaced."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = rng.choice(texts).split()
        i = rng.randrange(len(words))
        op = rng.randrange(4)
        if op == 0:
            del words[i]
        elif op == 1:
            words.insert(i, words[i])
        elif op == 2:
            j = rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        else:
            words[i] = rng.choice(VOCABULARY + NUMBERS)
        out.append(" ".join(words))
    return out


def broad_corpus() -> list[str]:
    texts: list[str] = [t for group in timing_groups().values() for t in group]
    for path in sorted(TESTS.glob("test_*.py")) + [TESTS / "properties.py"]:
        texts += _strings_of(path)
    for path in [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "examples" / "plans.toml",
    ]:
        body = path.read_text(encoding="utf-8")
        texts += re.findall(r'"([^"\n]{3,200})"', body) + re.findall(r"`([^`\n]{3,200})`", body)
    texts += _property_texts(3000)
    texts += _round_trip_texts()
    texts += fuzz_texts(20_000)
    texts += generated_texts(20_000)
    valid = [t for t in texts if _outcome(sr.Schedule.parse, t).get("str")]
    texts += _mutations(valid, 10_000)
    return list(dict.fromkeys(texts))


# ------------------------------------------------------------------------------- results
def _outcome(parse: Callable[[str], sr.Schedule], text: str) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plan = parse(text)
    except Exception as exc:  # noqa: BLE001 - the outcome is the exception
        return {"error": type(exc).__name__, "message": str(exc)}
    return {"str": str(plan), "dict": json.loads(json.dumps(plan.to_dict(), default=str))}


def save_results(path: Path) -> None:
    texts = broad_corpus()
    rows = [{"text": t, **_outcome(sr.Schedule.parse, t)} for t in texts]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump({"module": schedule_text.__file__, "rows": rows}, f)
    ok = sum("str" in r for r in rows)
    print(f"saved {len(rows)} texts ({ok} plans, {len(rows) - ok} refused) to {path}")


def check_results(path: Path) -> int:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = json.load(f)["rows"]
    differ, messages, round_trips = [], [], 0
    for row in rows:
        text = row["text"]
        now = _outcome(sr.Schedule.parse, text)
        if "str" in row or "str" in now:
            if row.get("str") != now.get("str") or row.get("dict") != now.get("dict"):
                differ.append((text, row, now))
            elif "[+" not in now["str"]:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    plan = sr.Schedule.parse(text)
                    assert sr.Schedule.parse(now["str"]) == plan, text
                round_trips += 1
        elif row["error"] != now["error"]:
            differ.append((text, row, now))
        elif row["message"] != now["message"]:
            messages.append((text, row["message"], now["message"]))
    ok = sum("str" in r for r in rows)
    print(
        f"{len(rows)} texts ({ok} plans, {len(rows) - ok} refused): {len(differ)} differ; "
        f"parse(str(plan)) == plan for {round_trips} plans; {len(messages)} refused with a "
        "changed message"
    )

    def short(outcome: dict[str, Any]) -> str:
        return outcome.get("str") or f"{outcome['error']}: {outcome['message']}"

    for text, before, after in differ[:20]:
        print(f"DIFFERS {text!r}\n  before: {short(before)}\n  after:  {short(after)}")
    for text, before, after in random.Random(0).sample(messages, min(12, len(messages))):
        print(f"message {text!r}\n  before: {before}\n  after:  {after}")
    return 1 if differ else 0


# -------------------------------------------------------------------------------- timing
def load_baseline(ref: str) -> ModuleType:
    """``schedule_text.py`` as it is at git ``ref``, imported inside the installed package."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:{MODULE}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    folder = Path(schedule_text.__file__).parent
    name = "skinremodel.plans._schedule_text_baseline"
    spec = importlib.util.spec_from_loader(name, loader=None, origin=str(folder / "baseline"))
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "skinremodel.plans"
    sys.modules[name] = module
    exec(compile(source, f"{ref}:{MODULE}", "exec"), module.__dict__)  # noqa: S102
    return module


def _parse_all(parse: Callable[[str], sr.Schedule], texts: list[str]) -> None:
    for text in texts:
        try:
            parse(text)
        except ValueError:
            pass


def _as_plan(parse: Callable[[str], Any]) -> Callable[[str], sr.Schedule]:
    """A text form's parse as ``Schedule.parse`` gives it (it returns sessions and a date)."""

    def plan(text: str) -> sr.Schedule:
        sessions, when = parse(text)
        return sr.Schedule(sessions, start_date=when)

    return plan


def _try(text: str) -> sr.Schedule | None:
    try:
        return sr.Schedule.parse(text)
    except ValueError:
        return None


def _build_only(plans: list[sr.Schedule]) -> Callable[[], None]:
    """Build the parsed plans again from their settings: the part of a parse that is not text."""

    def build() -> None:
        for plan in plans:
            sr.Schedule(
                [
                    sr.Session(
                        s.day,
                        s.depth_mm,
                        None if s.device else s.density_per_cm2,
                        None,
                        1.0,
                        s.device,
                    )
                    for s in plan
                ],
                start_date=plan.start_date,
            )

    return build


def first_parse_seconds(repeats: int) -> list[float]:
    """CPU time of the first parse in a new process, after ``import skinremodel``."""
    code = (
        "import time, skinremodel as sr; t = time.process_time(); "
        "sr.Schedule.parse('4 sessions every 4 weeks at 1.5 mm, then yearly for 2 years'); "
        "print(time.process_time() - t)"
    )
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(repeats)
    ]


def run_timing(rounds: int, min_s: float, baseline: str | None, cold: int) -> None:
    groups = timing_groups()
    parsers = {"installed": sr.Schedule.parse}
    if baseline:
        parsers = {
            f"baseline ({baseline})": _as_plan(load_baseline(baseline).parse_schedule),
            **parsers,
        }
    samples: dict[tuple[str, str], list[float]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        builds = {
            group: _build_only([_parsed for t in texts if (_parsed := _try(t))])
            for group, texts in groups.items()
        }
        for _ in range(rounds):
            for group, texts in groups.items():
                jobs = {
                    who: lambda p=parse, t=texts: _parse_all(p, t) for who, parse in parsers.items()
                }
                jobs["building the plans only"] = builds[group]
                for who, job in jobs.items():
                    per_call = cpu_per_call(job, min_s)
                    samples.setdefault((group, who), []).append(per_call / len(texts))
    print(
        f"CPU time per parsed text (us): median [lowest, highest] of {rounds} interleaved rounds."
        "\n'building the plans only' makes the parsed plans' Session and Schedule objects again "
        "from their settings (no text): the floor of any parser."
    )
    parsers = {**parsers, "building the plans only": sr.Schedule.parse}
    width = max(map(len, groups)) + 2
    header = "".join(f"{who:>34}" for who in parsers)
    print(f"{'group':<{width}}{'texts':>6}{'chars':>7}{header}" + ("   ratio" if baseline else ""))
    for group, texts in groups.items():
        cells, medians = [], []
        for who in parsers:
            s = samples[(group, who)]
            medians.append(statistics.median(s))
            cells.append(f"{medians[-1] * 1e6:>12.1f} [{min(s) * 1e6:.1f}, {max(s) * 1e6:.1f}]")
        chars = statistics.mean(map(len, texts))
        line = f"{group:<{width}}{len(texts):>6}{chars:>7.0f}" + "".join(f"{c:>34}" for c in cells)
        if baseline:
            line += f"{medians[1] / medians[0]:>8.2f}"
        print(line)
    if cold:
        s = first_parse_seconds(cold)
        print(
            f"first parse in a new process (installed): median {statistics.median(s) * 1e3:.1f} "
            f"ms [{min(s) * 1e3:.1f}, {max(s) * 1e3:.1f}] of {cold}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--min-ms", type=float, default=100.0, help="CPU time per sample")
    ap.add_argument("--baseline", metavar="REF", help="also time schedule_text.py at git REF")
    ap.add_argument("--cold", type=int, default=5, help="new processes for the first parse")
    ap.add_argument("--save-results", type=Path, metavar="FILE")
    ap.add_argument("--check-results", type=Path, metavar="FILE")
    a = ap.parse_args()
    if a.save_results:
        save_results(a.save_results)
    elif a.check_results:
        sys.exit(check_results(a.check_results))
    else:
        run_timing(a.rounds, a.min_ms / 1e3, a.baseline, a.cold)


if __name__ == "__main__":
    main()
