"""The review page for content editors (issue 23), over HTTP on SQLite and PostgreSQL: a redacteur of A
sees A's feedback and missed messages, never B's; "voeg toe als voorbeeld" queues an example (audited)
that `review-export` writes as Rasa NLU YAML; a redacteur reads no cases; a medewerker no review page;
a beheerder makes redacteur accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from staff_helpers import PASSWORD, csrf_of, login

from bot.backend.__main__ import main
from bot.backend.models import AuditEntry, MissedKind, MissedMessage, ReviewedExample, StaffRole, StaffUser
from bot.backend.services import feedback, review
from bot.backend.services.municipalities import resolve
from bot.backend.services.staff import create_staff_user
from tests.app.backend_helpers import Database, Factory, make_settings


def login_editor(client: TestClient, username: str) -> str:
    token = csrf_of(client.get("/staff/login").text)
    answer = client.post(
        "/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 303
    page = client.get("/staff/redactie")
    assert page.status_code == 200, page.text[:300]
    return csrf_of(page.text)


@pytest.fixture
def reviewed(session: Session, make: Factory) -> dict[str, int]:
    """A's and B's feedback and missed messages; a redacteur of each, a medewerker of A, a regional
    beheerder."""
    a = resolve(session=session, slug=None)
    b = make.municipality("heideveen", "Heideveen")
    ids: dict[str, int] = {}
    for town, word in ((a, "Ankerwoord"), (b, "Heidewoord")):
        for number, helped in enumerate((True, True, False)):
            conversation = f"{town.slug}-{number}"
            feedback.record_shown(
                session=session,
                conversation_id=conversation,
                answer_id="schulden_aanmaning",
                channel="rest",
                content_version="v1",
                municipality=town.slug,
            )
            feedback.record_verdict(
                session=session,
                conversation_id=conversation,
                helped=helped,
                answer_id="schulden_aanmaning",
                channel="rest",
                content_version="v1",
            )
        feedback.record_remark(session=session, conversation_id=f"{town.slug}-2", text=f"{word} miste ik")
        for text in (
            f"{word} huur kwijtschelding",
            f"{word} huur kwijtschelding aanvragen",
            "zomaar iets anders",
        ):
            message = review.record_missed(
                session=session,
                text=text,
                kind=MissedKind.FALLBACK,
                channel="rest",
                municipality=town.slug,
                guesses=["schulden_aanmaning"],
            )
            assert message is not None
            ids[f"{town.slug}:{text}"] = message.id
    for username, role, slugs in (
        ("rita", StaffRole.EDITOR, [a.slug]),
        ("bert", StaffRole.EDITOR, [b.slug]),
        ("anna", StaffRole.STAFF, [a.slug]),
        ("regio", StaffRole.ADMIN, [a.slug, b.slug]),
        ("beheer-b", StaffRole.ADMIN, [b.slug]),
    ):
        create_staff_user(
            session=session,
            username=username,
            display_name=username.title(),
            password=PASSWORD,
            role=role,
            municipalities=slugs,
        )
    session.commit()
    return ids


def test_a_redacteur_sees_their_municipalitys_feedback_and_messages_grouped(
    client: TestClient, reviewed: dict[str, int]
) -> None:
    login_editor(client, "rita")
    page = client.get("/staff/redactie").text
    assert 'data-answer="schulden_aanmaning"' in page and "Ik krijg steeds aanmaningen" in page
    row = page.split('data-answer="schulden_aanmaning"')[1].split("</tr>")[0]
    assert '<td class="shown">3</td>' in row and '<td class="share">67%</td>' in row
    assert "Ankerwoord miste ik" in page and "Ankerwoord huur" in page
    assert "Heidewoord" not in page  # B's remark and messages
    groups = page.split('<section class="missed-group">')[1:]
    assert len(groups) == 2  # the two kwijtschelding messages together, the other alone
    assert any("2 bericht(en)" in group and group.count("Ankerwoord") == 2 for group in groups)


def test_voeg_toe_als_voorbeeld_queues_the_message_audited_and_the_export_writes_it(
    client: TestClient, session: Session, reviewed: dict[str, int], tmp_path: Path
) -> None:
    csrf = login_editor(client, "rita")
    message_id = reviewed["voorbeeldstad:Ankerwoord huur kwijtschelding"]
    added = client.post(
        f"/staff/redactie/berichten/{message_id}/voorbeeld",
        data={"csrf_token": csrf, "intent": "schulden_kwijtschelding"},
    )
    assert added.status_code == 303 and "voorbeeld_toegevoegd" in added.headers["location"]
    page = client.get("/staff/redactie").text
    assert "1 voorbeeld(en) nu" in page and f'data-message="{message_id}"' not in page
    session.expire_all()
    example = session.scalars(select(ReviewedExample)).one()
    assert (example.intent, example.text, example.added_by) == (
        "schulden_kwijtschelding",
        "Ankerwoord huur kwijtschelding",
        "staff:rita",
    )
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "review.example")).one()
    assert entry.actor == "staff:rita" and entry.entity_id == str(message_id)
    for beheerder, sees in (("regio", True), ("beheer-b", False)):  # the audit log per municipality
        with TestClient(client.app, base_url="https://testserver", follow_redirects=False) as other:
            login(other, beheerder)
            log = other.get("/staff/beheer/logboek?soort=redactie").text
            assert ("Geen regels gevonden" not in log and "rita" in log) is sees, beheerder
    again = client.post(
        f"/staff/redactie/berichten/{message_id}/voorbeeld",
        data={"csrf_token": csrf, "intent": "schulden_kwijtschelding"},
    )
    assert again.status_code == 422
    unknown = client.post(
        f"/staff/redactie/berichten/{reviewed['voorbeeldstad:zomaar iets anders']}/voorbeeld",
        data={"csrf_token": csrf, "intent": "bestaat_niet"},
    )
    assert unknown.status_code == 422 and "Kies een vraag" in unknown.text

    out = tmp_path / "nlu" / "reviewed.yml"
    assert review.export_queue(session=session, path=out, actor="test") == 1
    written = yaml.safe_load(out.read_text())
    assert written["version"] == "3.1"
    assert written["nlu"] == [
        {"intent": "schulden_kwijtschelding", "examples": "- Ankerwoord huur kwijtschelding\n"}
    ]


def test_a_redacteur_cannot_add_another_municipalitys_message(
    client: TestClient, session: Session, reviewed: dict[str, int]
) -> None:
    csrf = login_editor(client, "rita")
    theirs = reviewed["heideveen:Heidewoord huur kwijtschelding"]
    answer = client.post(
        f"/staff/redactie/berichten/{theirs}/voorbeeld",
        data={"csrf_token": csrf, "intent": "schulden_aanmaning"},
    )
    assert answer.status_code == 404 and "bestaat niet" in answer.text
    session.expire_all()
    assert session.scalars(select(ReviewedExample)).all() == []
    assert session.get(MissedMessage, theirs).reviewed is False  # type: ignore[union-attr]


def test_a_regional_beheerder_sees_both_and_a_medewerker_no_review_page(
    client: TestClient, other_client: TestClient, reviewed: dict[str, int]
) -> None:
    login(client, "regio")
    page = client.get("/staff/redactie").text
    assert "Ankerwoord miste ik" in page and "Heidewoord miste ik" in page
    assert '<td class="shown">6</td>' in page
    login(other_client, "anna")
    assert other_client.get("/staff/redactie").status_code == 403
    assert "Redactie" not in other_client.get("/staff/overdrachten").text


def test_a_redacteur_reads_no_cases(client: TestClient, reviewed: dict[str, int]) -> None:
    csrf = login_editor(client, "rita")
    for path in ("/staff/overdrachten", "/staff/vandaag", "/staff/afspraken", "/staff/dashboard", "/staff/"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/staff/redactie", path
    assert client.post("/staff/afspraken/1/klaar", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/staff/beheer/medewerkers").status_code == 403
    page = client.get("/staff/redactie").text
    assert 'href="/staff/overdrachten"' not in page and 'href="/staff/redactie"' in page
    assert client.post("/staff/logout", data={"csrf_token": csrf}).status_code == 303


def test_a_beheerder_makes_a_redacteur_account(
    client: TestClient, session: Session, reviewed: dict[str, int]
) -> None:
    csrf = login(client, "regio")
    form = client.get("/staff/beheer/medewerkers").text
    assert 'value="redacteur"' in form
    made = client.post(
        "/staff/beheer/medewerkers",
        data={
            "csrf_token": csrf,
            "username": "roos",
            "display_name": "Roos",
            "role": "redacteur",
            "password": PASSWORD,
            "gemeente": ["voorbeeldstad", "heideveen"],
        },
    )
    assert made.status_code == 303, made.text[:500]
    session.expire_all()
    roos = session.scalars(select(StaffUser).where(StaffUser.username == "roos")).one()
    assert roos.role is StaffRole.EDITOR and len(roos.municipalities) == 2


def test_make_review_export_writes_the_queue_with_its_command(
    fresh_database: Database, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, fresh_database.url)
    with Session(fresh_database.engine) as session, session.begin():
        municipality = resolve(session=session, slug=None, default="voorbeeldstad")
        for intent, text in (
            ("request_human", "mag ik een mens"),
            ("request_human", "mag ik een mens"),
            ("schulden_aanmaning", "ik krijg steeds brieven: wat nu"),
        ):
            session.add(
                ReviewedExample(text=text, intent=intent, municipality_id=municipality.id, added_by="t")
            )
    out = tmp_path / "out" / "reviewed.yml"
    assert main(["review-export", "--output", str(out)], settings=settings) == 0
    written = yaml.safe_load(out.read_text())
    assert (
        written["nlu"]
        == [
            {"intent": "request_human", "examples": "- mag ik een mens\n"},
            {"intent": "schulden_aanmaning", "examples": "- 'ik krijg steeds brieven: wat nu'\n"},
        ]
        or written["nlu"][1]["examples"] == "- ik krijg steeds brieven: wat nu\n"
    )
    with Session(fresh_database.engine) as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "review.export")).all()
