"""Deterministic crisis detection that runs on every message, whatever the NLU model predicts.

The NLU model has crisis intents too; this net exists so that a crisis message is never lost to a
low-confidence prediction, a fallback or an active form. It errs on the side of caution: only an
explicit negation in the same clause ("ik wil niet dood", "hij slaat me niet") disarms a signal, and
"niet meer" ("ik wil niet meer leven") is a signal, not a negation.

Pure Python on purpose: no Rasa import, so it can be tested and reused anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum


class CrisisKind(str, Enum):
    """Crisis intents, most urgent first. The values are the Rasa intent names."""

    ACUTE_DANGER = "crisis_acute_danger"
    SUICIDE = "crisis_suicide"
    CHILD_DANGER = "crisis_child_danger"
    SEXUAL_VIOLENCE = "crisis_sexual_violence"
    DOMESTIC_VIOLENCE = "crisis_domestic_violence"


CRISIS_INTENTS = frozenset(kind.value for kind in CrisisKind)


@dataclass(frozen=True)
class Assessment:
    """Outcome of the check: the crisis kind (if any) and what was matched, for logs and tests."""

    kind: CrisisKind | None
    signals: tuple[str, ...] = field(default=())
    negated_signals: tuple[str, ...] = field(default=())

    @property
    def is_crisis(self) -> bool:
        return self.kind is not None

    @property
    def only_negated(self) -> bool:
        """True when the message talks about a crisis only to deny it ("ik wil niet dood")."""
        return self.kind is None and bool(self.negated_signals)


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_PERSON = r"(?:mijn|m'n|mn|me|onze|de|die|haar|zijn)"
_CHILD = (
    r"(?:kind|kinderen|kindje|kindjes|kids|zoon|zoontje|dochter|dochtertje|baby|babytje|peuter|kleuter|"
    r"neefje|nichtje|buurkind|buurkinderen|buurjongen|buurjongetje|buurmeisje|buurmeid|kleinkind|"
    r"kleinkinderen|stiefkind|stiefzoon|stiefdochter|leerling|tiener|puber|meisje|jongetje|broertje|"
    r"zusje|pleegkind)"
)
_PARENT = r"(?:vader|moeder|pa|ma|papa|mama|stiefvader|stiefmoeder|ouders|stiefpa|stiefma)"
_VICTIM = r"(?:me|mij|haar|hem|ons|mijn moeder|mijn vader|mijn oma|mijn opa|oma|opa)"
_HARM = (
    r"(?:slaat|sloeg|slaan|geslagen|schopt|schopte|schoppen|geschopt|trapt|trapte|getrapt|mishandelt|"
    r"mishandeld|mishandeling|mishandelen|wurgt|wurgde|gewurgd|knijpt|doet (?:me|mij|haar|hem|ze) pijn|"
    r"pijn doet|bedreigt|bedreigd|dreigt|misbruikt|misbruik|verwaarloosd|verwaarloost|opgesloten|"
    r"blauwe plekken|in elkaar geslagen|aangevallen)"
)

# "wil dood" also matches "wil niet dood", so that the negation inside the match is seen and disarms it.
_WANT_TO_DIE = _rx(
    r"(?:wil|wilt|wou|wilde|ga|gaat|zou) (?:echt |helemaal |)(?:niet |nooit |)(?:graag |liever |gewoon |echt |)"
    r"(?:dood|sterven)"
)

# Each pattern runs on normalised text (lower case, no accents, single spaces, no punctuation).
SUICIDE_PATTERNS = (
    _rx(r"zelf ?(?:moord|moort|doding|dooding)\w*", r"su[i]?[c]?id\w*", r"suicid\w*", r"suisid\w*"),
    _rx(r"niet meer (?:willen |wil |)(?:leven|verder|bestaan|wakker worden|wakker te worden)"),
    _WANT_TO_DIE,
    _rx(r"dood (?:willen|wil|wilt|gaan)", r"(?:beter|liever|maar) dood", r"dood zijn is beter"),
    _rx(r"(?:zie|zien|ziet) (?:ik |je |jij |hij |zij |ze |we |)(?:het|t) (?:echt |allemaal |gewoon |)niet meer zitten"),
    _rx(r"(?:een|n) (?:eind|einde) (?:aan|maken aan) (?:maken|mijn leven|m'n leven|het leven|alles)",
        r"er (?:een |)(?:eind|einde) aan maken", r"uit het leven stappen", r"van het leven beroven"),
    _rx(r"(?:mezelf|mijzelf|mezelve|me|mij) (?:iets |wat |)(?:aan ?doen|ophangen|doodmaken|dood maken|"
        r"van kant maken|om het leven brengen|iets aandoen|wat aandoen)"),
    _rx(r"(?:het|t|leven) hoeft (?:voor mij |van mij |)niet meer",
        r"geen (?:zin|reden) (?:meer |)(?:in|om te) (?:het |)leven", r"mijn leven heeft geen zin"),
    _rx(r"denk (?:\w+ ){0,2}aan (?:doodgaan|dood gaan|de dood|sterven|er niet meer zijn)",
        r"(?:gedachten|gedachtes) (?:over|aan) (?:doodgaan|dood gaan|de dood|sterven)"),
    _rx(r"voor (?:de|een) trein (?:springen|spring|gaan liggen)", r"van (?:de|een) (?:brug|flat|dak) (?:springen|spring)"),
)
DOMESTIC_PATTERNS = (
    _rx(r"huiselijk geweld", r"geweld (?:thuis|in huis|in (?:mijn|ons) huis)", r"relationeel geweld"),
    _rx(_PERSON + r" (?:man|vrouw|partner|vriend|vriendin|ex|echtgenoot|echtgenote) (?:\w+ ){0,3}" + _HARM),
    _rx(_PERSON + r" (?:zoon|broer|zus|schoonvader|schoonmoeder|buurman|buurvrouw|huisgenoot|kamergenoot) "
        r"(?:\w+ ){0,3}" + _HARM + " " + _VICTIM),
    _rx(r"(?:hij|zij|ze) (?:\w+ ){0,2}" + _HARM + " " + _VICTIM),
    _rx(r"(?:word|wordt|werd|ben|is) (?:\w+ ){0,3}(?:mishandeld|geslagen|bedreigd|geschopt|gewurgd|in elkaar geslagen)",
        r"(?:mishandeld|geslagen|bedreigd|geschopt|gewurgd) (?:word|wordt|werd)"),
    _rx(r"durf (?:echt |)niet (?:meer |)(?:naar huis|thuis te komen)", r"bang (?:om |)(?:\w+ ){0,2}naar huis", r"(?:ben|is) bang voor "
        + _PERSON + r" (?:man|vrouw|partner|vriend|vriendin|ex)"),
    _rx(r"(?:voel me|voel ik me|ben|is|het is) (?:\w+ ){0,2}onveilig (?:thuis|in huis)", r"thuis (?:\w+ ){0,2}onveilig"),
    _rx(r"dreigt (?:me|mij|haar|ons) (?:te |)(?:vermoorden|doden|dood te maken|iets aan te doen)"),
    _rx(r"(?:wordt|word|werd) (?:\w+ ){0,4}gevochten", r"vechtpartij", r"ruzie met klappen",
        r"(?:bedreigt|bedreigde|bedreigen) (?:me|mij|ons|haar|hem)"),
)
CHILD_PATTERNS = (
    _rx(r"kindermishandeling", r"kinder ?misbruik"),
    # harm done to a child, not by a child ("slaat een ander kind op school" is not matched)
    _rx(_HARM + r" (?:mijn|m'n|mn|de|het|ons|onze|haar|zijn|die|dat|hun) (?:\w+ )?" + _CHILD),
    _rx(_CHILD + r" (?:\w+ ){0,3}(?:wordt|worden|werd|werden|is|zijn) (?:\w+ ){0,3}(?:geslagen|mishandeld|"
        r"misbruikt|verwaarloosd|opgesloten|geschopt|bedreigd|in elkaar geslagen)",
        # subordinate clause order: "dat het kind geslagen wordt"
        _CHILD + r" (?:\w+ ){0,3}(?:geslagen|mishandeld|misbruikt|verwaarloosd|opgesloten|geschopt) "
        r"(?:wordt|worden|werd|werden)"),
    _rx(_CHILD + r" (?:\w+ ){0,3}(?:heeft|hebben|had|zit|zitten) (?:\w+ ){0,3}(?:vol |onder de |)blauwe plekken"),
    _rx(_CHILD + r" (?:\w+ ){0,4}(?:krijgt|krijgen|kreeg) (?:geen|nooit) (?:eten|te eten)",
        _CHILD + r" (?:\w+ ){0,4}(?:alleen thuis gelaten|alleen gelaten|op straat gezet)"),
    _rx(_CHILD + r" (?:\w+ ){0,3}(?:is|zijn|voelt zich|voelen zich) (?:\w+ ){0,2}onveilig"),
    # a child writing about a parent
    _rx(r"(?:wordt|worden|werd|werden) (?:\w+ ){0,2}" + _CHILD + r" (?:\w+ ){0,4}(?:geslagen|mishandeld|"
        r"misbruikt|verwaarloosd|opgesloten|geschopt)"),
    _rx(r"(?:" + _PERSON + r" |)" + _PARENT + r" (?:\w+ ){0,2}" + _HARM + r" (?:me|mij|ons)",
        _PERSON + r" " + _PARENT + r" (?:\w+ ){0,2}doet (?:me|mij|ons) pijn"),
)
SEXUAL_PATTERNS = (
    _rx(r"verkracht\w*", r"aangerand", r"aanranding", r"seksueel (?:misbruik|geweld|misbruikt)",
        r"(?:dwong|dwingt|gedwongen) (?:me |mij |haar |)(?:tot |)seks", r"tegen mijn wil seks", r"betast"),
)
# Signs that the danger is happening now: 112 first.
ACUTE_PATTERNS = (
    _rx(r"(?:pillen|pil|medicijnen|tabletten|slaappillen|gif|bleek) (?:\w+ ){0,3}(?:genomen|geslikt|"
        r"ingenomen|gedronken|opgedronken)"),
    _rx(r"(?:heeft|heb|hebben|staat|staan|loopt) (?:\w+ ){0,3}(?:een |)mes", r"met een mes",
        r"(?:bloedt|bloeden|bewusteloos|reageert niet meer|ademt niet)",
        r"met een (?:wapen|pistool|geweer|vuurwapen|bijl|hamer)", r"binnengedrongen", r"inbreker (?:\w+ ){0,2}in huis"),
    _rx(r"sta (?:nu |)(?:op|bij) (?:de|het|een) (?:brug|spoor|dak|rand)", r"ik (?:ga|doe) het (?:nu|vannacht|vanavond)",
        r"(?:nu|vannacht|vanavond) doe ik het"),
)
# Words that turn an ordinary crisis signal into an acute one when both appear.
_NOW = _rx(r"nu", r"nou", r"op dit moment", r"op dit ogenblik", r"net", r"zojuist", r"zo net", r"nu meteen",
           r"hier voor de deur", r"voor de deur", r"is bezig", r"nog steeds aan het")

# "niet", "geen", "nooit" within three words before a signal disarm it, unless followed by "meer".
_NEGATION_BEFORE = re.compile(r"\b(?:niet|geen|nooit|niks|nergens)\b(?! meer)(?:\s+\w+){0,3}\s*$")
_NEGATION_AFTER = re.compile(r"^\s*(?:\w+\s+){0,1}(?:niet|nooit)\b(?! meer)")
_NEGATION_INSIDE = re.compile(r"\b(?:niet|nooit)\b(?! meer)")
_CLAUSE_SPLIT = re.compile(r"[.,;:!?\n]+|\b(?:maar|want|alleen|behalve)\b")


def normalise(text: str) -> str:
    """Lower case, strip accents, collapse letters repeated 3+ times and whitespace."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)
    text = re.sub(r"\bniet (?:meer |)veilig\b", "onveilig", text)  # "niet veilig" is a signal, not a negation
    text = re.sub(r"[^\w'.,;:!?\n]+", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _clauses(text: str) -> list[str]:
    return [clause.strip() for clause in _CLAUSE_SPLIT.split(text) if clause and clause.strip()]


def _matches(clause: str, patterns: tuple[re.Pattern[str], ...]) -> tuple[list[str], list[str]]:
    """Return (affirmed, negated) matched phrases of `patterns` in one clause."""
    affirmed: list[str] = []
    negated: list[str] = []
    for pattern in patterns:
        for match in pattern.finditer(clause):
            before, after = clause[: match.start()], clause[match.end() :]
            is_negated = bool(
                _NEGATION_BEFORE.search(before)
                or _NEGATION_AFTER.search(after)
                or (pattern is _WANT_TO_DIE and _NEGATION_INSIDE.search(match.group(0)))
            )
            (negated if is_negated else affirmed).append(match.group(0))
    return affirmed, negated


_KIND_PATTERNS: tuple[tuple[CrisisKind, tuple[re.Pattern[str], ...]], ...] = (
    (CrisisKind.ACUTE_DANGER, ACUTE_PATTERNS),
    (CrisisKind.SUICIDE, SUICIDE_PATTERNS),
    (CrisisKind.CHILD_DANGER, CHILD_PATTERNS),
    (CrisisKind.SEXUAL_VIOLENCE, SEXUAL_PATTERNS),
    (CrisisKind.DOMESTIC_VIOLENCE, DOMESTIC_PATTERNS),
)

# Long messages are checked in full but in windows, so one pathological message stays cheap.
_MAX_CHECKED_CHARS = 60_000


def assess(text: str) -> Assessment:
    """Classify `text` as a crisis kind, or none; see the module docstring for the rules."""
    clauses = _clauses(normalise(text[:_MAX_CHECKED_CHARS]))
    found: dict[CrisisKind, list[str]] = {}
    negated: list[str] = []
    now_mentioned = False
    for clause in clauses:
        now_mentioned = now_mentioned or bool(_NOW.search(clause))
        for kind, patterns in _KIND_PATTERNS:
            affirmed, denied = _matches(clause, patterns)
            if affirmed:
                found.setdefault(kind, []).extend(affirmed)
            negated.extend(denied)
    if not found:
        return Assessment(kind=None, negated_signals=tuple(negated))
    signals = tuple(signal for kind_signals in found.values() for signal in kind_signals)
    if CrisisKind.ACUTE_DANGER in found or (now_mentioned and _violence_or_self_harm(found)):
        return Assessment(kind=CrisisKind.ACUTE_DANGER, signals=signals, negated_signals=tuple(negated))
    most_urgent = next(kind for kind in CrisisKind if kind in found)
    return Assessment(kind=most_urgent, signals=signals, negated_signals=tuple(negated))


def _violence_or_self_harm(found: dict[CrisisKind, list[str]]) -> bool:
    """Whether "nu"/"net" next to these signals means something is happening right now."""
    return any(kind in found for kind in (CrisisKind.DOMESTIC_VIOLENCE, CrisisKind.CHILD_DANGER,
                                           CrisisKind.SEXUAL_VIOLENCE))
