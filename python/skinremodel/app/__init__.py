"""``skinremodel app``: a local web app for clinicians.

A clinician opens it in a browser on the same computer: a patient form (covariates and medical
history, validated with clear messages), plans picked from the library or written in the text
form, then screening first (the verdict banner, blocked plans with what would unblock them, an
override field per contraindication that needs a reason of a few words), the ranked table in
clinical terms, the plots, and downloads of the HTML report and the CSV table.

Framework: **Flask** (Pallets). It is small, mature and well kept, its templates are Jinja2 with
autoescape (the same engine as the HTML report, so the page and the report share one template of
the comparison), its test client needs no server, and a synchronous framework suits a
CPU-bound simulation that runs per request. The server is Werkzeug's threaded WSGI server bound
to 127.0.0.1 by default: one clinician on one computer, nothing exposed to the network.

The app is stateless: every request carries the whole form, nothing is stored, and it reads and
writes no files (downloads are generated in memory). Every failure is shown in the page as a
message; no stack trace is ever sent (:func:`create_app` installs handlers for every exception).
"""

from __future__ import annotations

import datetime as dt
import threading
import warnings
from typing import Any

from .forms import (
    COVARIATE_FLAGS,
    HISTORY_DATES,
    HISTORY_FLAGS,
    MAX_PLANS,
    FieldError,
    FormData,
    parse_form,
)

__all__ = ["create_app", "serve", "parse_form", "FieldError", "FormData"]

#: One simulation and plot at a time: matplotlib's pyplot state is not thread-safe.
_LOCK = threading.Lock()
#: Largest accepted request body (bytes): a form is a few kilobytes.
MAX_REQUEST_BYTES = 64 * 1024


def _compare(data: FormData) -> tuple[Any, list[str]]:
    from ..compare import compare
    from ..schedule import ScheduleWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScheduleWarning)
        cmp = compare(data.plans, data.patient, days=data.days, override=data.overrides,
                      start_date=data.start_date)
    return cmp, list(dict.fromkeys(str(w.message) for w in caught))


def create_app() -> Any:
    """Return the Flask application (no server started; see :func:`serve`)."""
    import matplotlib

    matplotlib.use("Agg")
    import jinja2
    from flask import Flask, Response, render_template, request
    from werkzeug.exceptions import HTTPException

    from .. import __version__
    from .. import plans as library
    from ..clinical_terms import rounded_table
    from ..report import CSS, RESEARCH_NOTE, comparison_context, comparison_report
    from ..screening import MIN_REASON_WORDS, RULES

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.jinja_env.autoescape = True
    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.PackageLoader("skinremodel.app", "templates"),
        jinja2.PackageLoader("skinremodel", "templates")])
    library_plans = [(name, library.get(name).label(), str(library.get(name)))
                     for name in library.list()]
    contraindications = [(r.code, r.title) for r in RULES if r.severity == "contraindication"]

    def page(form: Any, data: FormData | None = None, context: dict[str, Any] | None = None,
             notes: list[str] | None = None, failure: str | None = None,
             status: int = 200) -> tuple[str, int]:
        errors = data.errors if data is not None else []
        by_field: dict[str, list[str]] = {}
        for e in errors:
            by_field.setdefault(e.field, []).append(e.message)
        chosen = set(form.getlist("library")) if hasattr(form, "getlist") else set()
        return render_template(
            "index.html.j2", form=form, chosen=chosen, errors=errors, by_field=by_field,
            c=context, notes=notes or [], failure=failure, css=CSS,
            research_note=RESEARCH_NOTE, version=__version__, library_plans=library_plans,
            contraindications=contraindications, covariate_flags=COVARIATE_FLAGS,
            history_flags=HISTORY_FLAGS, history_dates=HISTORY_DATES, max_plans=MAX_PLANS,
            min_words=MIN_REASON_WORDS, today=dt.date.today().isoformat()), status

    def run(form: Any) -> tuple[FormData, Any, list[str]]:
        data = parse_form(form)
        if data.errors:
            return data, None, []
        with _LOCK:
            try:
                cmp, notes = _compare(data)
            except (ValueError, TypeError, KeyError) as exc:
                data.errors.append(FieldError("plans", " ".join(str(exc).split())))
                return data, None, []
        return data, cmp, notes

    @app.get("/")
    def index() -> tuple[str, int]:
        return page(request.args)

    @app.post("/")
    def compare_plans() -> tuple[str, int]:
        data, cmp, notes = run(request.form)
        if cmp is None:
            return page(request.form, data, status=422)
        with _LOCK:
            context = comparison_context(cmp)
        return page(request.form, data, context, notes)

    def download(kind: str) -> Any:
        data, cmp, _ = run(request.form)
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
        return Response(body, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/report.html")
    def report_download() -> Any:
        return download("html")

    @app.post("/table.csv")
    def table_download() -> Any:
        return download("csv")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        return page({}, failure=f"{exc.code} {exc.name}: {exc.description}",
                    status=exc.code or 400)

    @app.errorhandler(Exception)
    def any_error(exc: Exception) -> tuple[str, int]:
        # Never a stack trace: the message only (it names the input at fault).
        message = " ".join(str(exc).split()) or type(exc).__name__
        return page({}, failure=f"Something went wrong and nothing was computed: {message}",
                    status=500)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'")
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
    print(f"skinremodel app: open http://{host}:{server.server_port}/ in a browser "
          "(Ctrl-C stops it). Research model, not a medical device.", flush=True)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        server.server_close()
