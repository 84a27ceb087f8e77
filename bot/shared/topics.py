"""The topics of the assistant and the case backend: one list of keys, with their Dutch labels.

Standard library only: the actions (intent prefixes, the `topic` slot, the summary for staff) and the
backend (bookings, callbacks, handovers, schedules, the staff page) use the same keys.
"""

from __future__ import annotations

__all__ = ["ANSWER_TOPICS", "MAIN_TOPICS", "RESIDENT_LABELS", "TOPICS", "topic_label"]

#: The three topics the assistant was built for; each has a full set of answers and stappenplannen.
MAIN_TOPICS = ("schulden", "huisvesting", "jeugdhulp")
#: Every intent prefix that is a topic. "algemeen" holds the few questions outside the main three (help at
#: home, mantelzorg, loneliness, victims of a crime).
ANSWER_TOPICS = (*MAIN_TOPICS, "algemeen")
#: Every topic the backend knows, with the label staff read (staff page, schedules, API). "veiligheid" is
#: the topic of a handover after a crisis message; no answer or intent has it.
TOPICS: dict[str, str] = {
    "schulden": "Geldzaken en schulden",
    "huisvesting": "Wonen en huisvesting",
    "jeugdhulp": "Opvoeden en jeugdhulp",
    "algemeen": "Algemene vragen",
    "veiligheid": "Veiligheid thuis",
}
#: How the assistant names a topic inside a sentence to a resident ("Gaat je vraag over geld en schulden
#: of over wonen en huur?") and in the handover summary.
RESIDENT_LABELS: dict[str, str] = {
    "schulden": "geld en schulden",
    "huisvesting": "wonen en huur",
    "jeugdhulp": "opvoeden en jeugd",
    "algemeen": "steun en zorg",
}


def topic_label(topic: str) -> str:
    """The staff label of a topic; an unknown key as it is."""
    return TOPICS.get(topic, topic)
