"""A handover's page shows what happened since the handover: its conversation's bookings and callback
requests as they are now (services/handover_cases.py), the reply box above the conversation, and the
conversation alone for the page's live updates (`/gesprek`, staff.js)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from staff_helpers import Accounts, login

from bot.backend.models import BookingStatus, CaseStatus
from bot.backend.services.callbacks import create_callback
from bot.backend.services.clock import local_today
from bot.backend.services.handovers import create_handover
from tests.app.backend_helpers import Factory


def test_the_page_shows_the_conversations_bookings_and_callbacks_as_they_are_now(
    client: TestClient, accounts: Accounts, session: Session, make: Factory, settings
) -> None:
    handover = create_handover(
        session=session,
        conversation_id="conv-state",
        channel="socketio",
        reason="De bewoner vroeg om een medewerker.",
        summary="Afspraakcode: VD-7K3P.",  # an old booking, made before bookings named their conversation
        contact_request="Buiten openingstijden: de bewoner kan een terugbelverzoek invullen.",
    )
    day = local_today(settings.tz)
    slot = make.slot(make.schedule(make.location("Buurthuis De Linde"), weekday=day.weekday(),
                                   start=time(23, 0), end=time(23, 59)), day, capacity=5)  # fmt: skip
    old = make.booking(slot, first_name="Anna", phone="+31612345678")
    old.code, old.status, old.cancelled_at = "VD-7K3P", BookingStatus.CANCELLED, datetime.now(UTC)
    new = make.booking(slot, first_name="Anna", phone="+31612345678")
    new.conversation_id = "conv-state"
    elsewhere = make.booking(slot, first_name="Bram", phone="+31612345679")
    elsewhere.conversation_id = "conv-other"
    callback = create_callback(
        session=session, topic="schulden", first_name="Anna", phone="0612345678",
        preferred_part_of_day="middag", conversation_id="conv-state", settings=settings,
    )  # fmt: skip
    create_callback(session=session, topic="schulden", first_name="Bram", phone="0612345679",
                    conversation_id="conv-other", settings=settings)  # fmt: skip
    session.commit()
    login(client, "sanne")

    page = client.get(f"/staff/overdrachten/{handover.id}").text
    assert 'data-booking-code="VD-7K3P"' in page and f'data-booking-code="{new.code}"' in page
    assert f'data-booking-code="{elsewhere.code}"' not in page and "Bram" not in page
    old_row = page.split('data-booking-code="VD-7K3P"')[1].split("</li>")[0]
    assert "geannuleerd op" in old_row and "Buurthuis De Linde" in old_row
    assert "bevestigd" in page.split(f'data-booking-code="{new.code}"')[1].split("</li>")[0]
    callback_row = page.split(f'data-callback="{callback.id}"')[1].split("</li>")[0]
    assert "Terugbelverzoek van Anna (middag)" in callback_row and "open" in callback_row
    assert "socketio" not in page.split("<h2")[0].split("Kanaal")[1]  # the channel by its name

    # The callback is done: the page says so, without anyone touching the handover.
    callback.status = CaseStatus.DONE
    session.commit()
    page = client.get(f"/staff/overdrachten/{handover.id}").text
    assert "afgerond" in page.split(f'data-callback="{callback.id}"')[1].split("</li>")[0]


def test_a_handover_without_bookings_says_so_and_the_reply_box_comes_before_the_conversation(
    client: TestClient, accounts: Accounts, session: Session
) -> None:
    handover = create_handover(session=session, conversation_id="conv-none", channel="telegram",
                               reason="De bewoner vroeg om een medewerker.")  # fmt: skip
    session.commit()
    login(client, "sanne")
    page = client.get(f"/staff/overdrachten/{handover.id}")
    assert 'id="no-cases"' in page.text
    assert page.text.index('id="reply"') < page.text.index('id="transcript"') < page.text.index('id="note"')
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/staff/static/staff.js" defer></script>' in page.text


def test_the_conversation_fragment_needs_a_login_and_says_when_rasa_is_down(
    client: TestClient, accounts: Accounts, session: Session
) -> None:
    handover = create_handover(session=session, conversation_id="conv-live", channel="socketio",
                               reason="De bewoner vroeg om een medewerker.")  # fmt: skip
    session.commit()
    url = f"/staff/overdrachten/{handover.id}/gesprek"
    assert client.get(url).status_code == 303  # to the login page
    login(client, "sanne")
    fragment = client.get(url)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "kan nu niet worden geladen" in fragment.text  # Rasa is down in this suite
    assert client.get(f"/staff/overdrachten/{handover.id + 1000}/gesprek").status_code == 404


def test_the_staff_script_is_served_and_nothing_else_from_the_static_folder(client: TestClient) -> None:
    script = client.get("/staff/static/staff.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "data-source" in script.text
    assert client.get("/staff/static/staff.css").status_code == 200
    for name in ("../templates/base.html", "__init__.py", "nope.js"):
        assert client.get(f"/staff/static/{name}").status_code == 404
