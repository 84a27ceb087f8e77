"""What a resident reads when an abuse limit is hit (client_limits.py, actions/handover.py).

Short, kind, B1 Dutch: what happened, when to try again, the wijkteam's phone number from
content/local.yml when there is one, and 112 for danger (a crisis message itself is never limited, but
a resident who is refused must still know where to go). Standard library and PyYAML only: the channels
and the action server both use it.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from bot.content_facts import ContentFileError, parse_local, read_yaml

logger = logging.getLogger(__name__)

PHONE_KEY = "wijkteam_telefoon"
_phones: dict[Path, tuple[tuple[int, int], str | None]] = {}


def wait_label(seconds: int) -> str:
    """'1 minuut', '12 minuten': rounded up to whole minutes, at least one."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minuut" if minutes == 1 else f"{minutes} minuten"


def wijkteam_phone(content_dir: Path) -> str | None:
    """The wijkteam's phone number from `content_dir`/local.yml (re-read when it changes), or None."""
    path = content_dir / "local.yml"
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _phones.get(path)
        if cached is None or cached[0] != stamp:
            phone = parse_local(read_yaml(path))[0].values.get(PHONE_KEY, "").strip() or None
            _phones[path] = (stamp, phone)
        return _phones[path][1]
    except (OSError, ContentFileError) as error:
        logger.warning("No wijkteam phone number for the limit message: %s", type(error).__name__)
        return None


def _phone_and_danger(phone: str | None, form: str) -> str:
    want, are = ("Wilt u", "Bent u") if form == "u" else ("Wil je", "Ben je")
    lines = [f"{want} nu iemand spreken? Bel het wijkteam: {phone}."] if phone else []
    lines.append(f"{are} in gevaar? Bel dan meteen 112.")
    return " ".join(lines)


def conversations_reply(retry_after: int, phone: str | None, form: str = "je") -> str:
    """Too many new conversations from one connection."""
    return (
        "Er komen veel nieuwe gesprekken van deze verbinding. Daarom kan ik nu geen nieuw gesprek beginnen. "
        f"Probeer het over {wait_label(retry_after)} opnieuw. " + _phone_and_danger(phone, form)
    )


def messages_reply(retry_after: int, phone: str | None, form: str = "je") -> str:
    """Too many messages in one conversation within a minute."""
    your = "uw" if form == "u" else "je"
    return (
        f"Er komen veel berichten snel na elkaar in dit gesprek. Wacht even en stuur {your} bericht over "
        f"{wait_label(retry_after)} opnieuw. " + _phone_and_danger(phone, form)
    )


def handovers_reply(retry_after: int, phone: str | None, form: str = "je") -> str:
    """Too many requests for a person from one connection (the backend refused the handover)."""
    your = "uw" if form == "u" else "je"
    text = (
        "Vanaf deze verbinding is al vaak om een medewerker gevraagd. "
        f"Daarom kan ik {your} vraag nu niet doorgeven. Probeer het over {wait_label(retry_after)} opnieuw."
    )
    return f"{text} Of bel het wijkteam: {phone}." if phone else text


def reply_for(kind: str, retry_after: int, phone: str | None, form: str = "je") -> str:
    """The reply to a refusal of this kind: conversations, messages or handovers."""
    texts = {"conversations": conversations_reply, "messages": messages_reply, "handovers": handovers_reply}
    return texts[kind](retry_after, phone, form)
