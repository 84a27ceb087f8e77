"""Messages shown after an action (the redirect carries a code, never free text)."""

from __future__ import annotations

NOTICES: dict[str, str] = {
    "uitgelogd": "Je bent uitgelogd.",
    "opgepakt": "Je hebt deze overdracht opgepakt. De bewoner leest dat een medewerker het gesprek heeft.",
    "opgepakt_zonder_rasa": (
        "Je hebt deze overdracht opgepakt, maar de assistent was niet bereikbaar: de bewoner weet het nog "
        "niet en de assistent kan nog antwoorden. Stuur over een paar minuten een antwoord: dat pauzeert de "
        "assistent ook."
    ),
    "notitie": "De notitie is opgeslagen.",
    "verstuurd": "Je antwoord is verstuurd.",
    "gesloten": "De overdracht is afgerond en het gesprek is teruggegeven aan de assistent.",
    "gesloten_zonder_rasa": (
        "De overdracht is afgerond, maar de assistent was niet bereikbaar. Het gesprek is nog niet "
        "teruggegeven. Probeer 'Opnieuw teruggeven' over een paar minuten."
    ),
    "al_afgerond": "Deze overdracht is al afgerond.",
    "afspraak_klaar": "De afspraak is afgevinkt.",
    "terugbellen_klaar": "Het terugbelverzoek is afgerond.",
    "account_aangemaakt": "Het account is aangemaakt.",
    "account_gewijzigd": "Het account is gewijzigd.",
    "wachtwoord_gewijzigd": "Het wachtwoord is gewijzigd. Oude sessies van dit account zijn beëindigd.",
    "spreekuur_aangemaakt": "Het spreekuur is aangemaakt en de tijden staan klaar.",
    "spreekuur_gewijzigd": "Het spreekuur is gewijzigd.",
    "spreekuur_gestopt": "Het spreekuur is gestopt: vanaf vandaag kan niemand het meer boeken.",
    "filter_genegeerd": "Een onbekend filter is genegeerd.",
    "voorbeeld_toegevoegd": (
        "Het bericht staat in de wachtrij als voorbeeld. Het team voegt de wachtrij toe aan de "
        "trainingsdata (make review-export)."
    ),
}
