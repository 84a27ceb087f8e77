"""The team dashboard: conversations settled without a person (with the numbers behind the share),
conversations per day (with and without a person) and per topic, bookings, callbacks; and the content's
dated facts that expired or expire soon. Definitions: bot/backend/services/dashboard.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.services.clock import local_today
from bot.backend.services.content_freshness import freshness_panel
from bot.backend.services.dashboard import (
    NO_TOPIC,
    NOT_UNDERSTOOD,
    PERIODS,
    PILOT_SETTLED_SHARE,
    build_figures,
)
from bot.backend.services.staff_scope import all_municipality_ids as session_ids
from bot.backend.staff_web.charts import ColumnChart, Series, column_chart, row_chart
from bot.backend.staff_web.deps import Staff
from bot.backend.staff_web.pages import render

router = APIRouter()


@router.get("/dashboard", include_in_schema=False)
def dashboard(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    user: Staff,
    dagen: str = "14",
    gemeente: str = "",
) -> Response:
    """`gemeente`: one of this person's municipalities (its id); left out: all of theirs together."""
    days = int(dagen) if dagen.isdigit() and int(dagen) in PERIODS else 14
    chosen = int(gemeente) if gemeente.isdigit() and int(gemeente) in user.scope else None
    wanted = frozenset({chosen}) if chosen is not None else user.scope
    today = local_today(settings.tz)
    with sessions.begin() as db:
        # Every municipality there is: the kept day summaries (all municipalities) answer; else live.
        everything = wanted == frozenset(session_ids(db))
        figures = build_figures(
            session=db, today=today, days=days, tz=settings.tz, scope=None if everything else wanted
        )
    labels = [day.strftime("%d-%m") for day in figures.days]

    def per_day(title: str, values: list[int]) -> ColumnChart:
        return column_chart(title, labels, [Series("Aantal", "bar", values)])

    charts = [
        # The same rows as the headline: with and without a person add up to its numbers.
        column_chart(
            "Gesprekken per dag, met en zonder medewerker",
            labels,
            [
                Series("Met overdracht", "bar", figures.with_person_per_day),
                Series("Zonder medewerker", "bar bar-without", figures.without_person_per_day),
            ],
        ),
        row_chart("Gesprekken per onderwerp", figures.conversations_per_topic),
        per_day("Spreekuurafspraken gemaakt per dag", figures.bookings_per_day),
        per_day("Terugbelverzoeken per dag", figures.callbacks_per_day),
    ]
    return render(
        request,
        "dashboard.html",
        figures=figures,
        charts=charts,
        days=days,
        periods=PERIODS,
        chosen=chosen,
        shown=[name for number, name in user.municipalities if number in wanted],
        pilot_share=PILOT_SETTLED_SHARE,
        not_understood=figures.without_person_in(NOT_UNDERSTOOD),
        no_topic=figures.without_person_in(NO_TOPIC),
        freshness=freshness_panel(content_dir=settings.content_dir, today=today),
    )
