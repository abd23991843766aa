"""Command line interface: ``skinremodel compare``, ``plans``, ``demo``, ``optimize`` and ``app``.

Bad input (a file that is missing or malformed, an invalid plan or patient, an override without
a reason of a few words) ends with one line ``skinremodel: error: ...`` on stderr and exit
status 2, never a traceback. A contraindication is not bad input: ``compare`` writes the report
(which says so at the top and lists every plan's status) and exits 0 whenever it could report.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from . import plans as library
from ._core import SolverError
from ._files import check_outputs, neutralise_cells, read_text, write_atomic
from ._version import __version__
from .clinic.app import serve
from .clinic.clinic_files import load_patient_file, load_plans_file
from .clinic.clinical_terms import parse_horizon, rounded_table
from .clinic.compare import compare, optimum_report
from .clinic.demo import plot_png, print_comparison, run_demo
from .limits import check_nesting
from .optimize.constraints import Objective, PlanConstraints
from .optimize.optimizer import optimize_plan
from .patients.patient import Patient
from .plans.schedule import ScheduleWarning

__all__ = ["main"]

_COMPARE_HELP = """\
Compare treatment plans for one patient: screening, simulation, a table on stdout and a
standalone HTML report. Without PLANS, the built-in plan library is compared.

PLANS (.toml or .json):
  start_date = 2025-03-03                 # optional: day 0 of plans without a date
  [[plan]]
  library = "standard-course"             # built-in plan; optional choices: sessions = 5, ...
  [[plan]]
  name = "Gentle course"
  text = "3 sessions every 2 weeks at 1.0 mm"
  [[plan]]
  file = "saved_plan.toml"                # a plan saved with Schedule.save

PATIENT (.toml or .json):
  age = 62
  diabetes = "controlled"
  [history]
  isotretinoin_stopped = 2024-10-01

Research model, not a medical device.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skinremodel",
        description="Simulate skin remodelling after microneedling (research model).",
    )
    parser.add_argument("--version", action="version", version=f"skinremodel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    cmp = sub.add_parser(
        "compare",
        help="compare plans for one patient (table and HTML report)",
        description=_COMPARE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmp.add_argument(
        "plans",
        nargs="?",
        metavar="PLANS",
        help="plans file (.toml/.json); default: the built-in plan library",
    )
    cmp.add_argument(
        "--patient",
        metavar="PATIENT",
        help="patient file (.toml/.json); default: a 45-year-old, no conditions",
    )
    cmp.add_argument("--out", metavar="REPORT.html", help="write the HTML report here")
    cmp.add_argument("--csv", metavar="TABLE.csv", help="write the full table as CSV")
    cmp.add_argument("--png", metavar="PLOT.png", help="write the comparison plot as PNG")
    cmp.add_argument(
        "--horizon",
        default="12mo",
        metavar="DURATION",
        help="how long to simulate, with a unit: 12mo, 365d, 1y, 26w "
        "(default 12mo = 365 days; 1 month = 30 days, 12 months = 365 days)",
    )
    cmp.add_argument(
        "--start-date", metavar="YYYY-MM-DD", help="day 0 of plans without a start date"
    )
    cmp.add_argument(
        "--depth",
        type=float,
        metavar="MM",
        help="needle length of the built-in plans (default 1.5 mm)",
    )
    cmp.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="RULE=REASON",
        help="go ahead despite a contraindication, with a reason of at least a "
        "few words, shown in the report (e.g. isotretinoin='approved by "
        "dermatologist, consensus 2017'); repeatable",
    )

    sub.add_parser("plans", help="list the built-in plan library")

    opt = sub.add_parser(
        "optimize", help="the best plan for one patient under constraints (docs/optimisation.md)"
    )
    opt.add_argument(
        "--patient",
        metavar="PATIENT",
        help="patient file (.toml/.json); default: a 45-year-old, no conditions",
    )
    opt.add_argument(
        "--constraints",
        metavar="C.toml",
        help="constraints file: fields of skinremodel.PlanConstraints "
        "(max_sessions, min_interval_days, clinic_weekdays, ...) and an "
        "optional [objective] table (fields of skinremodel.Objective)",
    )
    opt.add_argument(
        "--horizon",
        type=float,
        default=365.0,
        metavar="DAYS",
        help="days to plan and simulate (default 365)",
    )
    opt.add_argument("--out", metavar="REPORT.html", help="write the HTML report here")
    opt.add_argument(
        "--csv", metavar="TABLE.csv", help="write the comparison with the library plans as CSV"
    )
    opt.add_argument("--json", metavar="RESULT.json", help="save the result as JSON")
    opt.add_argument("--seed", type=int, default=0, help="seed of the starts (default 0)")
    app = sub.add_parser(
        "app",
        help="open the local web app for clinicians (127.0.0.1)",
        description="Serve the clinicians' web app on this computer only "
        "(127.0.0.1): patient form, screening, plan comparison, "
        "downloads. It reads and writes no files. Stop with "
        "Ctrl-C.",
    )
    app.add_argument("--port", type=int, default=8050, help="port (default 8050; 0 = any free)")
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1, this computer only)",
    )

    demo = sub.add_parser("demo", help="compare the built-in plans for a patient of a given age")
    demo.add_argument("--out", default="demo.png", help="PNG file for the plot (default demo.png)")
    demo.add_argument("--age", type=float, default=45.0, help="patient age in years (default 45)")
    demo.add_argument("--depth", type=float, default=1.5, help="needle length in mm (default 1.5)")
    return parser


def _overrides(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        code, sep, reason = item.partition("=")
        if not sep:
            raise ValueError(
                f"--override {item!r}: write RULE=REASON, e.g. "
                "isotretinoin='approved by dermatologist'"
            )
        out[code.strip()] = reason.strip().strip("'\"")
    return out


def _compare(args: argparse.Namespace) -> None:
    outputs = [("--csv", args.csv), ("--png", args.png), ("--out", args.out)]
    inputs: list[Path] = [Path(p) for p in (args.plans, args.patient) if p is not None]
    check_outputs(outputs, inputs)  # before reading or simulating anything
    start_date = args.start_date
    if args.plans is None:
        plans = library.all(**({} if args.depth is None else {"depth_mm": args.depth}))
    else:
        if args.depth is not None:
            raise ValueError("--depth applies to the built-in plans; set depths in PLANS")
        plans, file_start = load_plans_file(args.plans, used=inputs)
        start_date = start_date or file_start
        check_outputs(outputs, inputs)  # also the plan files the plans file names
    patient = Patient() if args.patient is None else load_patient_file(args.patient)
    result = compare(
        plans,
        patient,
        days=parse_horizon(args.horizon),
        override=_overrides(args.override),
        start_date=start_date,
    )
    # Every output is rendered before the first is written; each is written atomically.
    rendered: list[tuple[str, str, str | bytes]] = []
    if args.csv:
        rendered.append(("table", args.csv, neutralise_cells(rounded_table(result)).to_csv()))
    if args.png and len(result.blocked) < len(result.plans):
        rendered.append(("plot", args.png, plot_png(result)))
    if args.out:
        rendered.append(("report", args.out, result.to_html()))
    print_comparison(result)
    for what, path, data in rendered:
        write_atomic(path, data)
        print(f"{what} written to {path}")


def _optimize(args: argparse.Namespace) -> None:
    outputs = [("--csv", args.csv), ("--json", args.json), ("--out", args.out)]
    inputs = [Path(p) for p in (args.patient, args.constraints) if p is not None]
    check_outputs(outputs, inputs)  # before reading or optimising anything
    patient = Patient() if args.patient is None else load_patient_file(args.patient)
    constraints = PlanConstraints(horizon_days=args.horizon)
    objective = None
    if args.constraints:
        path = Path(args.constraints)
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib

        text = read_text(path)  # bounded size, names the file
        check_nesting(f"{path}: ", text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
        if "objective" in data:
            objective = Objective(**data.pop("objective"))
        data.setdefault("horizon_days", args.horizon)
        constraints = PlanConstraints.from_dict(data)
    result = optimize_plan(
        patient,
        constraints.horizon_days,
        constraints=constraints,
        objective=objective,
        seed=args.seed,
    )
    print(repr(result))
    print(f"objective: {result.objective_text} = {result.objective:.4g}")
    print("active constraints: " + (", ".join(result.active_constraints) or "none"))
    print(result.comparison.drop(columns=["days"]).to_string(index=False))
    # Every output is rendered before the first is written; each is written atomically.
    rendered: list[tuple[str, str, str | bytes]] = []
    if args.csv:
        rendered.append(
            ("table", args.csv, neutralise_cells(result.comparison).to_csv(index=False))
        )
    if args.json:
        rendered.append(("result", args.json, result.to_json()))
    if args.out:
        rendered.append(("report", args.out, optimum_report(result, patient)))
    for what, target, data in rendered:
        write_atomic(target, data)
        print(f"{what} written to {target}")


def _plans() -> None:
    import pandas as pd

    table = library.table()[
        ["title", "sessions", "interval (days)", "yearly touch-ups", "default plan"]
    ]
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(table.to_string())
    print(
        "\nUse: sr.plans.get(name, sessions=..., every_weeks=...) or, in a plans file, "
        "[[plan]] library = name"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScheduleWarning)  # also HorizonWarning
            if args.command == "compare":
                _compare(args)
            elif args.command == "plans":
                _plans()
            elif args.command == "optimize":
                _optimize(args)
            elif args.command == "app":
                serve(host=args.host, port=args.port)
            elif args.command == "demo":
                check_outputs([("--out", args.out)], [])
                run_demo(Path(args.out), age=args.age, depth_mm=args.depth)
        for w in caught:
            print(f"skinremodel: warning: {w.message}", file=sys.stderr)
    except (
        ValueError,
        TypeError,
        KeyError,
        OSError,
        SolverError,
        OverflowError,
        RecursionError,
        MemoryError,
    ) as exc:
        message = " ".join(str(exc).split())  # one line, whatever the message holds
        print(f"skinremodel: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
