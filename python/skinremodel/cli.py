"""Command line interface: ``skinremodel demo`` (more subcommands join as they are built)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skinremodel",
        description="Simulate skin remodelling after microneedling (research model).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="compare the clinic regimens for one patient")
    demo.add_argument("--out", default="demo.png", help="PNG file for the plot (default demo.png)")
    demo.add_argument("--age", type=float, default=45.0, help="patient age in years (default 45)")
    demo.add_argument("--depth", type=float, default=1.5, help="needle length in mm (default 1.5)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import run_demo

            run_demo(args.out, age=args.age, depth_mm=args.depth)
    except (ValueError, TypeError, OSError) as exc:
        print(f"skinremodel: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
