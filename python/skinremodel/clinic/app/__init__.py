"""``skinremodel app``: a local web app for clinicians.

A clinician opens it in a browser on the same computer: a patient form (covariates and medical
history, validated with clear messages), plans picked from the library or written in the text
form, then screening first (the verdict banner, blocked plans with what would unblock them, an
override field per contraindication that needs a reason of a few words), the ranked table in
clinical terms, the plots, and downloads of the HTML report and the CSV table.

Framework: **Flask** (Pallets). It is small, mature and well kept, its test client needs no
server, and a synchronous framework suits a CPU-bound simulation that runs per request. The page
is rendered by the package's one Jinja2 environment (:mod:`skinremodel._html`, autoescape on,
``templates/app.html.j2``), the one that renders the HTML report, so the page and the report
share their templates of the comparison, the optimised plan and the uncertainty. The server is
Werkzeug's threaded WSGI server bound to 127.0.0.1 by default: one clinician on one computer,
nothing exposed to the network.

The app is stateless: every request carries the whole form, nothing is stored, and it reads and
writes no files (downloads are generated in memory). Every failure is shown in the page as a
message; no stack trace is ever sent (:func:`create_app` installs handlers for every exception).

Two optional analyses:

- **Optimise for this patient** (:func:`skinremodel.optimize_plan`): the best plan under the
  default clinic constraints (at most :data:`OPTIMISE_MAX_SESSIONS` sessions at least
  :data:`OPTIMISE_MIN_INTERVAL_DAYS` days apart, depths 0.5-2.0 mm, the form's horizon, start
  date and overrides), seeded and with one start so that it stays fast; the optimised plan joins
  the compared plans and its section is shown under the comparison. The page then carries the
  plan (a hidden field) so that later comparisons and both downloads include it, until the
  clinician ticks "drop the optimised plan" or optimises again.
- **Show uncertainty (virtual population)**: the comparison with ``uncertainty=`` from
  :class:`VirtualPopulationDraws`, parameter draws of a virtual population with the illustrative
  inter-individual variability of ``docs/populations.md`` (:data:`APP_VARIABILITY`, assumed and
  not fitted to data: the page says so), giving 95% intervals, P(best) and P(noticeable).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import warnings
from typing import Any

from ... import plans as library
from ..._html import render
from ..._version import __version__
from ...optimize.optimizer import optimize_plan
from ...patients.screening import MIN_REASON_WORDS, RULES
from ...plans.schedule import ScheduleWarning
from ...populations.population import Population
from ..clinical_terms import rounded_table
from ..compare import compare
from ..report import CSS, RESEARCH_NOTE, comparison_context, comparison_report, uncertainty_context
from .forms import (
    COVARIATE_FLAGS,
    HISTORY_DATES,
    HISTORY_FLAGS,
    MAX_PLANS,
    OPTIMISED_NAME,
    FieldError,
    FormData,
    carried_plan,
    parse_form,
)

__all__ = [
    "create_app",
    "serve",
    "parse_form",
    "FieldError",
    "FormData",
    "VirtualPopulationDraws",
    "APP_VARIABILITY",
    "APP_DRAWS",
]

#: One simulation and plot at a time: matplotlib's pyplot state is not thread-safe.
_LOCK = threading.Lock()
#: Largest accepted request body (bytes): a form is a few kilobytes.
MAX_REQUEST_BYTES = 64 * 1024
#: Illustrative inter-individual variability of the app's virtual population: ``{parameter:
#: omega}``, omega the standard deviation of the log of the parameter (the example of
#: ``docs/populations.md`` and notebook 05). Assumed, not fitted to data.
APP_VARIABILITY: dict[str, float] = {"s_w": 0.3, "k_mat": 0.2, "r_F": 0.2}
#: Parameter draws of the app's uncertainty option (every draw is simulated on every plan).
APP_DRAWS = 40
#: Default constraints of the app's optimiser.
OPTIMISE_MAX_SESSIONS = 6
OPTIMISE_MIN_INTERVAL_DAYS = 14.0
OPTIMISE_DEPTH_MM = (0.5, 2.0)


class VirtualPopulationDraws:
    """Parameter draws of a virtual population, usable as ``compare(..., uncertainty=...)``.

    Each draw is a patient's parameter set ``nominal * exp(omega * eta)`` (log-normal, truncated
    to the parameter's domain) from :class:`skinremodel.Population`; the patient's covariates
    enter through the simulation. It carries inter-individual variability only: not a fit, not a
    posterior.

    Parameters
    ----------
    variability : mapping of str to float, optional
        ``{parameter: omega}``; default :data:`APP_VARIABILITY`.
    """

    def __init__(self, variability: dict[str, float] | None = None) -> None:
        self.variability = dict(APP_VARIABILITY if variability is None else variability)

    def parameter_draws(self, n: int, seed: int | None = 0, patient: Any = None) -> list[Any]:
        """Return ``n`` parameter sets (seeded), one per virtual patient."""
        del patient  # covariates enter through the simulation's Patient
        pop = Population(n, age=45.0, variability=self.variability, seed=seed)
        return [
            pop.nominal.update({str(k): float(v) for k, v in row.items()})
            for _, row in pop.parameters.iterrows()
        ]

    def describe(self, n: int, seed: int | None) -> str:
        """One line for the page and the report: where the draws came from."""
        omegas = ", ".join(f"{k} {v:g}" for k, v in self.variability.items())
        return (
            f"Virtual population: {n} parameter draws, seed {seed}, log-normal "
            f"inter-individual variability (omega: {omegas}); illustrative values assumed, "
            "not fitted to data"
        )


def _compare(data: FormData, uncertainty: bool = False) -> tuple[Any, list[str]]:
    source = VirtualPopulationDraws() if uncertainty else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScheduleWarning)
        cmp = compare(
            data.plans,
            data.patient,
            days=data.days,
            override=data.overrides,
            start_date=data.start_date,
            uncertainty=source,
            n_draws=APP_DRAWS,
            seed=0,
        )
    if source is not None and cmp.intervals is not None:
        cmp.uncertainty_source = source.describe(APP_DRAWS, 0)
    return cmp, list(dict.fromkeys(str(w.message) for w in caught))


def _optimise(data: FormData) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return optimize_plan(
            data.patient,
            days=data.days,
            max_sessions=OPTIMISE_MAX_SESSIONS,
            min_interval_days=OPTIMISE_MIN_INTERVAL_DAYS,
            depth_mm=OPTIMISE_DEPTH_MM,
            start_date=data.start_date,
            override=data.overrides,
            seed=0,
            starts=1,
            threads=1,
        )


def create_app() -> Any:
    """Return the Flask application (no server started; see :func:`serve`)."""
    import matplotlib

    matplotlib.use("Agg")
    from flask import Flask, Response, request
    from werkzeug.exceptions import HTTPException

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    library_plans = [
        (name, library.get(name).label(), str(library.get(name))) for name in library.list()
    ]
    contraindications = [(r.code, r.title) for r in RULES if r.severity == "contraindication"]

    def page(
        form: Any,
        data: FormData | None = None,
        context: dict[str, Any] | None = None,
        notes: list[str] | None = None,
        failure: str | None = None,
        status: int = 200,
        analyses: dict[str, Any] | None = None,
        optimised: Any = None,
    ) -> tuple[str, int]:
        errors = data.errors if data is not None else []
        by_field: dict[str, list[str]] = {}
        for e in errors:
            by_field.setdefault(e.field, []).append(e.message)
        chosen = set(form.getlist("library")) if hasattr(form, "getlist") else set()
        if optimised is None and data is not None and not form.get("drop_optimised"):
            optimised = data.plans.get(OPTIMISED_NAME)
        return render(
            "app.html.j2",
            form=form,
            chosen=chosen,
            errors=errors,
            by_field=by_field,
            c=context,
            notes=notes or [],
            failure=failure,
            css=CSS,
            research_note=RESEARCH_NOTE,
            version=__version__,
            library_plans=library_plans,
            contraindications=contraindications,
            covariate_flags=COVARIATE_FLAGS,
            history_flags=HISTORY_FLAGS,
            history_dates=HISTORY_DATES,
            max_plans=MAX_PLANS,
            min_words=MIN_REASON_WORDS,
            today=dt.date.today().isoformat(),
            optimised_name=OPTIMISED_NAME,
            optimised_plan=carried_plan(optimised) if optimised is not None else "",
            optimised_text=str(optimised) if optimised is not None else "",
            **(analyses or {"optimum": None, "optimum_note": "", "uncertainty": None}),
        ), status

    def run(form: Any, optimise: bool = False) -> tuple[FormData, Any, list[str], Any]:
        data = parse_form(form)
        if optimise and not data.plans:  # the optimiser needs no plan from the form
            data.errors[:] = [e for e in data.errors if e.field != "plans"]
        if data.errors:
            return data, None, [], None
        optimum = None
        with _LOCK:
            try:
                if optimise:
                    optimum = _optimise(data)
                    # compared with the form's plans, replacing an earlier optimum
                    data.plans[OPTIMISED_NAME] = optimum.schedule.named(OPTIMISED_NAME)
                cmp, notes = _compare(data, uncertainty=bool(form.get("uncertainty")))
            except (ValueError, TypeError, KeyError) as exc:
                message = " ".join(str(exc).split())
                if optimise:
                    message = "Optimiser: " + re.sub(
                        r"\(override with override=\{.*?\}\)",
                        "(to go ahead anyway, give a reason under 'Go ahead despite a "
                        "contraindication')",
                        message,
                    )
                data.errors.append(FieldError("optimise" if optimise else "plans", message))
                return data, None, [], None
        return data, cmp, notes, optimum

    @app.get("/")
    def index() -> tuple[str, int]:
        return page(request.args)

    def results(optimise: bool) -> tuple[str, int]:
        data, cmp, notes, optimum = run(request.form, optimise=optimise)
        if cmp is None:
            return page(request.form, data, status=422)
        with _LOCK:
            context = comparison_context(cmp)
        analyses = {"optimum": None, "optimum_note": "", "uncertainty": uncertainty_context(cmp)}
        if optimum is not None:
            analyses["optimum"] = optimum._html_context()
            analyses["optimum_note"] = (
                f"Optimised for this patient under the app's constraints: at most "
                f"{OPTIMISE_MAX_SESSIONS} sessions at least {OPTIMISE_MIN_INTERVAL_DAYS:g} days "
                f"apart, depths {OPTIMISE_DEPTH_MM[0]:g}-{OPTIMISE_DEPTH_MM[1]:g} mm, over "
                f"the horizon; it is compared above as {OPTIMISED_NAME!r}."
            )
        return page(
            request.form,
            data,
            context,
            notes,
            analyses=analyses,
            optimised=data.plans.get(OPTIMISED_NAME),
        )

    @app.post("/")
    def compare_plans() -> tuple[str, int]:
        return results(optimise=False)

    @app.post("/optimise")
    def optimise_plan() -> tuple[str, int]:
        return results(optimise=True)

    def download(kind: str) -> Any:
        data, cmp, _, _ = run(request.form)
        if cmp is None:
            return page(request.form, data, status=422)
        stamp = dt.date.today().isoformat()
        if kind == "html":
            with _LOCK:
                body = comparison_report(cmp, patient_name=data.patient_name or None)
            mimetype, name = "text/html", f"skinremodel-report-{stamp}.html"
        else:
            body = rounded_table(cmp).to_csv()
            mimetype, name = "text/csv", f"skinremodel-table-{stamp}.csv"
        return Response(
            body,
            mimetype=mimetype,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.post("/report.html")
    def report_download() -> Any:
        return download("html")

    @app.post("/table.csv")
    def table_download() -> Any:
        return download("csv")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        return page({}, failure=f"{exc.code} {exc.name}: {exc.description}", status=exc.code or 400)

    @app.errorhandler(Exception)
    def any_error(exc: Exception) -> tuple[str, int]:
        # Never a stack trace: the message only (it names the input at fault).
        message = " ".join(str(exc).split()) or type(exc).__name__
        return page(
            {}, failure=f"Something went wrong and nothing was computed: {message}", status=500
        )

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    return app


def serve(host: str = "127.0.0.1", port: int = 8050, *, ready: Any = None) -> None:
    """Serve the app until interrupted (Ctrl-C).

    Parameters
    ----------
    host : str
        Address to bind; the default 127.0.0.1 is reachable from this computer only.
    port : int
        Port; 0 picks a free one.
    ready : callable, optional
        Called with the server (``server.server_port``) once it listens (tests use it).
    """
    from werkzeug.serving import make_server

    server = make_server(host, port, create_app(), threaded=True)
    print(
        f"skinremodel app: open http://{host}:{server.server_port}/ in a browser "
        "(Ctrl-C stops it). Research model, not a medical device.",
        flush=True,
    )
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        server.server_close()
