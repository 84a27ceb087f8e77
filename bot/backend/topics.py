"""The topics a resident can book a spreekuur or a callback for (the NLU topics of the bot)."""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "schulden": "Geldzaken en schulden",
    "huisvesting": "Wonen en huisvesting",
    "jeugdhulp": "Opvoeden en jeugdhulp",
    "algemeen": "Algemene vragen",
    "veiligheid": "Veiligheid thuis",
}


def topic_label(topic: str) -> str:
    return TOPICS.get(topic, topic)
