"""What a staff page answers instead of the API's JSON errors: a Dutch page, or the way to the login."""

from __future__ import annotations


class StaffPageError(Exception):
    """Shown as a Dutch error page with this HTTP status."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


class LoginRequired(Exception):
    """A page was asked for without a valid session: go to the login page and come back afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


NOT_CONFIGURED = StaffPageError(
    503, "Niet ingesteld", "De medewerkerspagina is nog niet ingesteld (STAFF_SESSION_SECRET ontbreekt)."
)
NOT_LOGGED_IN = StaffPageError(401, "Niet ingelogd", "Je bent niet (meer) ingelogd. Log opnieuw in.")
FORBIDDEN = StaffPageError(403, "Geen toegang", "Deze pagina is alleen voor beheerders.")
CASES_FORBIDDEN = StaffPageError(
    403,
    "Geen toegang",
    "Deze pagina is voor medewerkers van het wijkteam. Als redacteur zie je de redactiepagina.",
)
REVIEW_FORBIDDEN = StaffPageError(
    403, "Geen toegang", "Deze pagina is alleen voor redacteuren en beheerders."
)
BAD_CSRF = StaffPageError(
    403,
    "Formulier niet geaccepteerd",
    "Dit formulier is verlopen of niet van deze pagina verstuurd. Ga terug, laad de pagina opnieuw en "
    "probeer het nog eens.",
)
