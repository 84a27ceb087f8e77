"""Which language a resident writes in: Dutch (the default), English, or another language.

Why words and not the encoder: multilingual-e5 is built to put a Dutch and an English sentence with the
same meaning close together, so its similarity to Dutch or English example sets says more about the
topic than about the language. Function words say it better and cost nothing: "I", "the", "my",
"please" against "ik", "de", "mijn", "graag". A message counts as English when it has at least two
English words and more English than Dutch words. A one- or two-word message ("person please") needs one
English word that Dutch residents do not use in Dutch chats anyway ("yes", "please" and "hello" do not
count alone).
Words that both languages use ("is", "in", "we", "me", "help", "hi") count for neither.

"other" means a script or letters that Dutch and English do not use (Arabic, Cyrillic, Polish, Turkish);
the assistant adds the same English line then, as the language a resident most likely reads next to
their own. Pure Python, no Rasa import.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["nl", "en", "other"]

ENGLISH_WORDS = frozenset(
    """
    i i'm im i've ive i'd i'll my mine myself you you're your yours he's she's it's it they their them our
    us the a an and or to for with from about at by on this that these those there here what which who
    whom why how when where can could would should will shall must may might do does did don't dont doesn't
    didn't can't cant won't isn't aren't wasn't not no yes have has having am are were be been being get
    got wanted need needed like please hello dear someone somebody anyone person people human talk speak
    call called cancel appointment booking meeting tomorrow today morning afternoon english dutch
    understand know just only also still again very really much many some any all every other another new
    time day month because but if than then so too out up down after before now right home house rent
    landlord debt debts bill bills money pay paid husband wife boyfriend girlfriend partner son daughter
    kids child children family mother father mom mum dad safe afraid scared hurt hits beats kill life live
    living
    """.split()
)
DUTCH_WORDS = frozenset(
    """
    ik ikke mij mijn m'n mn je jij jou jouw jezelf u uw jullie hij zij ze haar hem zijn ons onze wij hun
    de het een en van voor met naar bij op aan uit om te tot door onder tegen zonder na sinds niet geen
    nooit wel ook nog al maar als dan dat die dit deze er daar hier wat wie waar wanneer waarom hoe welke
    heb hebt heeft hebben ben bent waren wil wilt willen wou kan kun kunt kunnen moet moeten mag mogen
    zou zouden ga gaat gaan doe doet doen krijg krijgt krijgen graag alstublieft alsjeblieft aub dank
    bedankt hallo hoi goedemorgen goedemiddag goedenavond ja nee afspraak iemand spreken bellen
    terugbellen afzeggen huur schulden geld kinderen zoon dochter moeder vader thuis huis werk hulp vraag
    brief rekening maand vandaag morgen gisteren nu even heel erg veel weinig beetje echt gewoon misschien
    zeker helemaal alles niks niets iets
    """.split()
)
# Words both languages use (is, in, we, me, was, had, of, over, week, want, kind, help, hi, sorry, thanks)
# are in neither list: they say nothing about the language.
# English words that Dutch residents use in Dutch chats too: alone they do not make a message English.
LOANWORDS = frozenset({"yes", "no", "hello", "please", "dear", "sorry", "back", "so", "up"})
_WORD = re.compile(r"[a-z']+")
# Letters of other Latin-script languages (Polish, Turkish, Romanian, ...) that Dutch texts do not use.
_FOREIGN_LATIN = set("łąęśćńźżğışţșțőű")


def _other_script(text: str) -> bool:
    """True when most letters are outside the Latin alphabet, or foreign Latin letters appear."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    if any(ch in _FOREIGN_LATIN for ch in text.lower()):
        return True
    non_latin = sum(1 for ch in letters if "LATIN" not in unicodedata.name(ch, ""))
    return non_latin > len(letters) / 2


def detect(text: str) -> Language:
    """The language of a resident's message: "en", "other", or "nl" (also when unsure)."""
    if not text or text.startswith("/"):
        return "nl"
    if _other_script(text):
        return "other"
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    english = sum(1 for word in words if word in ENGLISH_WORDS)
    dutch = sum(1 for word in words if word in DUTCH_WORDS)
    if english == 0:
        return "nl"
    if len(words) <= 2:
        telling = [word for word in words if word in ENGLISH_WORDS and word not in LOANWORDS]
        return "en" if telling and dutch == 0 else "nl"
    return "en" if english >= 2 and english > dutch else "nl"
