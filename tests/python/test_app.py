"""The clinicians' web app through Flask's test client: validation, screening, overrides,
downloads, escaping, and that no input ever produces a stack trace."""

import datetime as dt
import io
import random

import pandas as pd
import pytest
from skinremodel.cli import _parser
from skinremodel.clinic.app import create_app, parse_form

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def client():
    app = create_app()
    app.config["TESTING"] = False  # errors go through the app's handlers, as for a user
    return app.test_client()


def form(**changes):
    data = {
        "age": "45",
        "diabetes": "none",
        "vitamin_c": "replete",
        "phototype": "2",
        "horizon": "12mo",
        "start_date": "2025-06-02",
        "library": ["standard-course"],
        "plan_text": "Gentle: 3 sessions every 4 weeks at 1.0 mm",
    }
    data.update(changes)
    return data


def test_index_has_the_form(client):
    page = client.get("/").get_data(as_text=True)
    assert 'id="patient-form"' in page and 'name="isotretinoin_stopped"' in page
    assert "standard-course" in page and "Research model, not a medical device" in page


def test_compare_shows_verdict_then_ranked_table(client):
    response = client.post("/", data=form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert page.index('id="verdict"') < page.index('id="ranking"') < page.index('id="plots"')
    assert "No contraindication or caution found" in page
    assert "Visible improvement at 12 mo (x just noticeable)" in page
    assert "Wrinkle grade (Lemperle 0-5), change at 12 mo" in page
    assert "True" not in page and "False" not in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"age": "abc"}, "Age: &#39;abc&#39; is not a number of years"),
        ({"age": "12"}, "outside 18-100 years"),
        ({"isotretinoin_stopped": "2024-13-40"}, "is not a date"),
        ({"plan_text": "3 sessions every fortnight-ish", "library": []}, "Plan line 1"),
        ({"library": [], "plan_text": ""}, "tick at least one library plan"),
        ({"horizon": "12"}, "Give a unit"),
        ({"horizon": "12 parsecs"}, "unknown unit"),
        ({"override_pregnancy": "x"}, "at least 3 words"),
        ({"on_isotretinoin": "yes", "isotretinoin_stopped": "2025-01-01"}, "not both"),
    ],
)
def test_validation_messages(client, changes, message):
    response = client.post("/", data=form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'id="errors"' in page and "Traceback" not in page


def test_contraindication_is_reported_and_override_unblocks(client):
    blocked = client.post("/", data=form(pregnant="yes")).get_data(as_text=True)
    assert "every plan (2 of 2) is blocked by screening (pregnancy)" in blocked
    assert "What would unblock it" in blocked and "after pregnancy" in blocked
    assert 'id="plots"' not in blocked
    reason = "Patient delivered in May, not breastfeeding; consultant agreed"
    ok = client.post("/", data=form(pregnant="yes", override_pregnancy=reason))
    page = ok.get_data(as_text=True)
    assert ok.status_code == 200
    assert 'id="overrides"' in page and "Patient delivered in May" in page
    assert "go ahead (override: pregnancy)" in page


def test_isotretinoin_hint_names_the_clear_date(client):
    page = client.post("/", data=form(isotretinoin_stopped="2025-03-20")).get_data(as_text=True)
    assert "Start the plan on or after 20 September 2025" in page
    # The reason in words: sessions counted from 1, dates written out, no Python notation.
    assert (
        "isotretinoin stopped 20 March 2025, less than 6 months before session 1 (2 June "
        "2025)" in page
    )
    assert "sessions[" not in page and "2025-03-20," not in page


def test_hostile_names_are_escaped(client):
    hostile = form(
        patient_name=XSS,
        plan_text=f"{XSS}: 2 sessions every 6 weeks",
        other_skin_condition='<img src=x onerror="alert(2)">',
    )
    for url in ("/", "/report.html"):
        page = client.post(url, data=hostile).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_downloads(client):
    report = client.post("/report.html", data=form(patient_name="Ms Example"))
    assert report.status_code == 200
    assert report.headers["Content-Disposition"].startswith("attachment; filename=")
    html = report.get_data(as_text=True)
    assert html.index('id="verdict"') < html.index('id="ranking"') and "Ms Example" in html
    table = client.post("/table.csv", data=form())
    assert table.mimetype == "text/csv"
    frame = pd.read_csv(io.StringIO(table.get_data(as_text=True)), index_col=0)
    assert list(frame["rank"]) == [1, 2]
    assert all(len(str(v).split(".")[-1]) <= 3 for v in frame["collagen change 12 mo (%)"])


def test_survives_any_input(client):
    rng = random.Random(15)
    junk = [
        "",
        " ",
        "-1",
        "1e999",
        "nan",
        "inf",
        "NaN mm",
        XSS,
        "0",
        "9" * 300,
        "2025-02-30",
        "../../etc/passwd",
        "\x00",
        "é" * 50,
        "{}",
        "[]",
    ]
    fields = [
        "age",
        "diabetes",
        "vitamin_c",
        "phototype",
        "horizon",
        "start_date",
        "plan_text",
        "library",
        "isotretinoin_stopped",
        "override_isotretinoin",
        "pregnant",
        "other_skin_condition",
    ]
    for _ in range(60):
        data = form(**{rng.choice(fields): rng.choice(junk) for _ in range(3)})
        response = client.post(rng.choice(["/", "/report.html", "/table.csv"]), data=data)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 422), (data, text[:400])
        assert "Traceback" not in text
    assert client.get("/nowhere").status_code == 404
    assert client.put("/").status_code == 405
    big = client.post("/", data={"plan_text": "x" * 200_000})
    assert big.status_code == 413 and "Traceback" not in big.get_data(as_text=True)


def test_parse_form_without_flask():
    data = parse_form(
        {
            "age": "62",
            "diabetes": "controlled",
            "library": "every-6-weeks",
            "horizon": "1y",
            "start_date": "2025-06-02",
        }
    )
    assert not data.errors and data.days == 365 and data.patient.diabetes == "controlled"
    assert data.start_date == dt.date(2025, 6, 2) and len(data.plans) == 1


def test_cli_app_binds_localhost_by_default(app_server):
    args = _parser().parse_args(["app"])
    assert args.host == "127.0.0.1" and args.port == 8050
    assert app_server.server_address[0] == "127.0.0.1" and app_server.server_port > 0


def test_optimise_button_adds_the_optimised_plan(client):
    response = client.post(
        "/optimise",
        data=form(patient_name=XSS, library=[], plan_text=f"{XSS}: 2 sessions every 6 weeks"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert "id='optimised-plan'" in page and 'id="ranking"' in page
    assert "optimised plan" in page and "Traceback" not in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_optimised_plan_is_carried_into_later_comparisons_and_downloads(client):
    import html
    import re

    import skinremodel as sr
    from skinremodel.clinic.app.forms import OPTIMISED_NAME

    page = client.post("/optimise", data=form()).get_data(as_text=True)
    carried = html.unescape(
        re.search(
            r'name="optimised_plan" id="optimised_plan" '
            r'value="([^"]*)"',
            page,
        ).group(1)
    )
    plan = sr.Schedule.from_json(carried)
    assert plan.name == OPTIMISED_NAME and 1 <= len(plan) <= 6
    # The downloads re-submit the page's form: the optimised plan is in the report and CSV.
    report = client.post("/report.html", data=form(optimised_plan=carried)).get_data(as_text=True)
    assert OPTIMISED_NAME in report
    table = pd.read_csv(
        io.StringIO(
            client.post("/table.csv", data=form(optimised_plan=carried)).get_data(as_text=True)
        ),
        index_col=0,
    )
    assert OPTIMISED_NAME in table.index and len(table) == 3
    # Its outcome in the CSV is that of comparing the carried plan directly.
    from skinremodel.clinic.clinical_terms import rounded_table

    direct = rounded_table(
        sr.compare({OPTIMISED_NAME: plan}, sr.Patient(age=45), days=365, start_date="2025-06-02")
    )
    column = "visible improvement 12 mo (x just noticeable)"
    assert table.loc[OPTIMISED_NAME, column] == direct.iloc[0][column] > 0
    # Dropping it, tampering with it, or reusing its name for a user plan.
    dropped = client.post("/table.csv", data=form(optimised_plan=carried, drop_optimised="yes"))
    assert OPTIMISED_NAME not in dropped.get_data(as_text=True)
    bad = client.post("/", data=form(optimised_plan='{"sessions": "x"}'))
    assert bad.status_code == 422 and "Optimised plan: the page" in bad.get_data(as_text=True)
    clash = client.post("/", data=form(plan_text=f"{OPTIMISED_NAME}: 2 sessions every 6 weeks"))
    assert clash.status_code == 422 and "is kept for the optimiser" in clash.get_data(as_text=True)


def test_optimise_needs_no_plan_and_reports_errors_in_the_page(client):
    response = client.post("/optimise", data=form(library=[], plan_text="", pregnant="yes"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="errors"' in page
    assert "Optimiser: screening: pregnancy" in page and "override={" not in page
    assert "Go ahead despite a contraindication" in page and "Traceback" not in page


def test_uncertainty_option_shows_p_best(client):
    response = client.post("/", data=form(uncertainty="yes", patient_name=XSS))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    assert 'id="uncertainty"' in page and "P(best)" in page and "P(noticeable)" in page
    assert "Virtual population: 40 parameter draws" in page and "not fitted to data" in page
    assert "<script>alert" not in page
    report = client.post("/report.html", data=form(uncertainty="yes")).get_data(as_text=True)
    assert "P(best)" in report and "Virtual population" in report
