"""What the masking step of the message pipeline needs besides the masking rules (bot/shared/privacy.py).

- An e-mail address is kept only while a form asks for one (`EMAIL_REQUESTS`). Which form is active is
  in the stored conversation, so it is read only when the text may hold an address (`may_hold_email`)
  or when something was masked (the note's form of address).
- When something was masked, a short note tells the resident it was not kept (`masked_note`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rasa.shared.core.constants import REQUESTED_SLOT

from bot.shared.privacy import BSN, EMAIL, IBAN

logger = logging.getLogger(__name__)

#: Forms that ask for an e-mail address, and the slots that ask for it: only there is an address kept.
EMAIL_REQUESTS: dict[str, tuple[str, ...]] = {
    "spreekuur_form": ("spreekuur_contact",),
    "booking_change_form": ("change_verification",),  # the second factor may be the e-mail address
}
#: Every character that Unicode (NFKC) reads as "@": an e-mail address needs one of them.
AT_SIGNS = ("@", "\ufe6b", "\uff20")
_MASKED_WHAT = {BSN: "BSN", IBAN: "bankrekeningnummer", EMAIL: "e-mailadres"}


@dataclass(frozen=True)
class FormState:
    """The active form, the slot it asks for and the form of address of a stored conversation."""

    form: str | None = None
    requested: str | None = None
    address_form: str | None = None

    @property
    def keeps_email(self) -> bool:
        """Whether the form asks for an e-mail address right now."""
        return self.requested is not None and self.requested in EMAIL_REQUESTS.get(self.form or "", ())


def may_hold_email(text: str) -> bool:
    """Whether the text has an at sign (in any width), without which no e-mail address is masked."""
    return any(sign in text for sign in AT_SIGNS)


async def form_state(tracker_store: Any, sender_id: str) -> FormState:
    """The stored conversation's form state; an empty one (mask as if no form were active) when unknown."""
    if tracker_store is None:
        return FormState()
    try:
        tracker = await tracker_store.retrieve(sender_id)
    except Exception as error:  # the safe side: mask as if no form were active
        logger.error("Could not read the conversation to mask a message: %s", type(error).__name__)
        return FormState()
    if tracker is None:
        return FormState()
    form = tracker.active_loop_name
    requested = tracker.get_slot(REQUESTED_SLOT) if form else None
    return FormState(form, requested, tracker.get_slot("address_form"))


def masked_note(kinds: frozenset[str], address_form: str | None) -> str:
    """'Ik heb je BSN niet bewaard. Dat hebben we hier niet nodig.' (u-form when the slot says so)."""
    names = [_MASKED_WHAT[kind] for kind in (BSN, IBAN, EMAIL) if kind in kinds]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    possessive = "uw" if address_form == "u" else "je"
    return f"Ik heb {possessive} {listed} niet bewaard. Dat hebben we hier niet nodig."
