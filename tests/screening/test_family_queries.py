"""The family's question, review and submit pages cost a fixed, small number of queries: the
link and its session once, the clinic's licensed text and parameters once (for every
instrument of the session together), and the writes. Before the restructure a question page
cost 10 queries and the review 15, growing with the number of instruments."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dyadcare.touchpoints.models import Visit
from tests.factories import ClinicWorld
from tests.screening.test_family_pages import confirm, start

ONE = ("phq9",)
THREE = ("phq9", "ahc-hrsn", "cdc-milestones-2m")

# The session (with clinic, caregiver, child and visit): a link that matches a session is
# never counted by the guessing throttle ...
OPEN_LINK = 1
# ... then the clinic's item text and its parameter history, for all the session's instruments.
READ_INSTRUMENTS = 2
# An audit entry: its chain's head locked, the entry written, the head moved on.
AUDIT = 3


def _queries(client: Client, method: str, url: str, data: dict[str, str] | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 303), (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("instruments", [ONE, THREE], ids=["one instrument", "three instruments"])
def test_the_family_pages_cost_the_same_whatever_the_number_of_instruments(
    world: ClinicWorld, two_month_visit: Visit, client: Client, instruments: tuple[str, ...]
) -> None:
    _session, token = start(world, two_month_visit, instruments)
    confirm(client, token, two_month_visit)

    question = _queries(client, "get", f"/f/{token}/q/phq9/1/")
    assert len(question) == OPEN_LINK + READ_INSTRUMENTS == 3, question
    assert sum("instruments_clinicitemtext" in q for q in question) == 1
    assert sum("instruments_clinicparameter" in q for q in question) == 1

    answer = _queries(client, "post", f"/f/{token}/q/phq9/1/", {"answer": "1", "action": "next"})
    # + the session locked, the answer saved, the audit entry (and the savepoint around them)
    assert len(answer) == OPEN_LINK + READ_INSTRUMENTS + 4 + AUDIT, answer

    review = _queries(client, "get", f"/f/{token}/review/")
    assert len(review) == OPEN_LINK + READ_INSTRUMENTS + AUDIT, review  # + the audit entry

    for ident in instruments[1:]:  # one answer in every instrument: each is scored
        client.post(f"/f/{token}/q/{ident}/1/", {"answer": "0", "action": "next"})
    submit = _queries(client, "post", f"/f/{token}/submit/")
    results = [q for q in submit if q.startswith('INSERT INTO "screening_screeningresult"')]
    assert len(results) == 1  # every result in one insert
    assert all(i in results[0] for i in instruments)
    flags = sum(q.startswith('INSERT INTO "screening_flag"') for q in submit)
    assert flags <= 1  # every flag in one insert, when any is raised
    # The session locked, the instruments read once, one insert for the results (and one for
    # the flags), the session's status, the audit entry, the transaction's savepoint and its
    # release: nothing grows with the instruments.
    assert len(submit) == OPEN_LINK + READ_INSTRUMENTS + 4 + AUDIT + 1 + flags, submit
    assert not any(q.startswith('UPDATE "touchpoints_visit"') for q in submit), submit


def test_a_submit_scores_each_instrument_once_before_its_transaction(
    world: ClinicWorld, two_month_visit: Visit, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine scores each instrument once, before the transaction opens (so the write
    lock is not held through it), and no FHIRPath is evaluated for the PHQ-9 (nor the AHC):
    the Observations are derived from that one score."""
    from dyadcare.instruments import engine
    from dyadcare.instruments.engine import fhirpath

    _session, token = start(world, two_month_visit, ("phq9", "ahc-hrsn"))
    confirm(client, token, two_month_visit)
    for ident in ("phq9", "ahc-hrsn"):
        client.post(f"/f/{token}/q/{ident}/1/", {"answer": "2", "action": "next"})

    scored_at: list[int] = []
    real_score = engine.score

    def counting(*args: object, **kwargs: object) -> engine.ScoreResult:
        scored_at.append(len(captured.captured_queries))
        return real_score(*args, **kwargs)  # type: ignore[arg-type]

    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("FHIRPath evaluated during a submit")

    monkeypatch.setattr(engine, "score", counting)
    monkeypatch.setattr(fhirpath, "evaluate", refused)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/f/{token}/submit/")
    assert response.status_code in (200, 303)
    sql = [q["sql"] for q in captured.captured_queries]
    opened = next(i for i, q in enumerate(sql) if q.startswith("SAVEPOINT"))
    assert len(scored_at) == 2 and all(at <= opened for at in scored_at), (scored_at, opened)
    inserted = next(q for q in sql if q.startswith('INSERT INTO "screening_screeningresult"'))
    assert sql.index(inserted) > opened
