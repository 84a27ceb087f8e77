"""The team dashboard: conversations per day and topic, settled without a person, handovers, bookings,
callbacks; and the content's dated facts that expired or expire soon."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.services.clock import local_today
from bot.backend.services.content_freshness import freshness_panel
from bot.backend.services.dashboard import PERIODS, PILOT_SETTLED_SHARE, build_figures
from bot.backend.staff_web.charts import bar_chart
from bot.backend.staff_web.deps import Staff
from bot.backend.staff_web.pages import render

router = APIRouter()


@router.get("/dashboard", include_in_schema=False)
def dashboard(
    request: Request, sessions: Sessions, settings: SettingsDep, _user: Staff, dagen: str = "14"
) -> Response:
    days = int(dagen) if dagen.isdigit() and int(dagen) in PERIODS else 14
    today = local_today(settings.tz)
    with sessions.begin() as db:
        figures = build_figures(session=db, today=today, days=days, tz=settings.tz)
    labels = [day.strftime("%d-%m") for day in figures.days]
    charts = [
        bar_chart("Gesprekken per dag", list(zip(labels, figures.conversations_per_day, strict=True))),
        bar_chart("Gesprekken per onderwerp", figures.conversations_per_topic),
        bar_chart(
            "Overdrachten naar een medewerker per dag",
            list(zip(labels, figures.handovers_per_day, strict=True)),
        ),
        bar_chart(
            "Spreekuurafspraken gemaakt per dag", list(zip(labels, figures.bookings_per_day, strict=True))
        ),
        bar_chart("Terugbelverzoeken per dag", list(zip(labels, figures.callbacks_per_day, strict=True))),
    ]
    return render(
        request,
        "dashboard.html",
        figures=figures,
        charts=charts,
        days=days,
        periods=PERIODS,
        pilot_share=PILOT_SETTLED_SHARE,
        freshness=freshness_panel(content_dir=settings.content_dir, today=today),
    )
