"""What every state and observable is: a readable label, a unit and a meaning.

Plots (axis labels), :meth:`Result.to_xarray` (``units``/``long_name``/``description``
attributes) and error messages ("did you mean ...?") read this one table, built from the
observables' own metadata (:data:`skinremodel.OBSERVABLES`) and the state table of
``docs/model.md``. The metrics of batches (these and the per-session and per-item metrics of
the threshold events) are registered in :mod:`.metrics`, which reads this table.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from .observables import OBSERVABLES, STATE_NAMES

__all__ = ["VariableInfo", "variable_info", "axis_label", "suggest", "did_you_mean", "unknown_name"]


@dataclass(frozen=True)
class VariableInfo:
    """Label, unit and meaning of a state or observable.

    Attributes
    ----------
    name : str
        Identifier (``"Cm"``, ``"total_collagen"``).
    label : str
        Readable name for axes and tables (``"total collagen"``).
    unit : str
        Unit; ``"1"`` for dimensionless.
    description : str
        What it is and how it is computed.
    kind : str
        ``"state"`` or ``"observable"``.
    """

    name: str
    label: str
    unit: str
    description: str
    kind: str


_STATES: dict[str, tuple[str, str, str]] = {  # name: (label, unit, description)
    "D": (
        "damage signal D",
        "reference session = 1",
        "damage / DAMP signal (debris, open micro-channels)",
    ),
    "N": ("neutrophils N", "normalised excess", "neutrophils (excess over homeostasis)"),
    "M1": ("M1 macrophages", "normalised excess", "pro-inflammatory macrophages (excess)"),
    "M2": ("M2 macrophages", "normalised excess", "reparative macrophages (excess)"),
    "T": (
        "growth factor T",
        "half-saturation units",
        "active growth-factor signal (lumped TGF-beta/PDGF), excess",
    ),
    "F": ("fibroblasts F", "x baseline density", "fibroblasts (1 = about 3000 cells/mm^3)"),
    "Mf": ("myofibroblasts Mf", "x baseline fibroblast density", "myofibroblasts"),
    "P": ("MMP activity P", "x baseline", "net collagenolytic MMP activity (MMP net of TIMP)"),
    "C3": (
        "collagen III (new) C3",
        "x baseline total collagen",
        "newly deposited, immature collagen III",
    ),
    "C1": (
        "collagen I (new) C1",
        "x baseline total collagen",
        "newly deposited, immature collagen I",
    ),
    "Cf": (
        "fibrillar collagen Cf",
        "x baseline total collagen",
        "fibrillar collagen, assembled but not yet cross-linked",
    ),
    "Cm": (
        "mature collagen Cm",
        "x baseline total collagen",
        "mature, cross-linked and organised collagen",
    ),
    "Et": ("tropoelastin Et", "x baseline mature elastin", "soluble tropoelastin"),
    "E": ("mature elastin E", "x baseline", "mature crosslinked elastin"),
    "R": ("redness R", "1", "erythema (redness), visible above R_vis"),
}


def variable_info(name: str) -> VariableInfo:
    """Label, unit and meaning of a state or observable.

    Raises
    ------
    KeyError
        An unknown name; the message suggests the closest known names.
    """
    if name in _STATES:
        label, unit, description = _STATES[name]
        return VariableInfo(name, label, unit, description, "state")
    if name in OBSERVABLES:
        o = OBSERVABLES[name]
        return VariableInfo(name, name.replace("_", " "), o.unit, o.description, "observable")
    raise unknown_name(name, STATE_NAMES + tuple(OBSERVABLES), "state or observable")


def axis_label(names: str | Iterable[str], *, percent: bool = False) -> str:
    """Axis label with the unit: ``"total collagen (x baseline)"``.

    Several variables that share a unit give ``"<unit>"`` alone when their labels would not fit,
    else the labels joined by commas; ``percent`` labels the change from baseline.
    """
    infos = [variable_info(n) for n in ([names] if isinstance(names, str) else list(names))]
    if percent:
        what = infos[0].label if len(infos) == 1 else "change"
        return f"{what} (% change from baseline)"
    units = list(dict.fromkeys(i.unit for i in infos))
    unit = units[0] if len(units) == 1 else "mixed units"
    unit_text = "dimensionless" if unit == "1" else unit
    if len(infos) == 1:
        return f"{infos[0].label} ({unit_text})"
    labels = ", ".join(i.label for i in infos)
    return f"{labels} ({unit_text})" if len(labels) <= 40 else unit_text


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Return the closest names to a misspelled one (``difflib``), best first."""
    return difflib.get_close_matches(name, list(choices), n=n, cutoff=0.6)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'total_collagen'?)"`` for a misspelled name, or ``""``."""
    close = suggest(str(name), choices)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""


def unknown_name(
    name: str, choices: Iterable[str], what: str = "name", *, message: str | None = None
) -> KeyError:
    """Return a ``KeyError`` for an unknown name that suggests the closest ones ("did you mean").

    The message (default ``"unknown <what> <name>"``) goes on with the suggestions, or with
    every choice when nothing is close.
    """
    options = list(choices)
    close = suggest(str(name), options)
    if close:
        hint = f"did you mean {', '.join(map(repr, close))}?"
    else:
        hint = f"choose from: {', '.join(options)}"
    head = message if message is not None else f"unknown {what} {name!r}"
    return _UnknownName(f"{head}; {hint}")


class _UnknownName(KeyError):
    """A KeyError whose message prints as given (KeyError would quote it)."""

    def __str__(self) -> str:
        return str(self.args[0])
