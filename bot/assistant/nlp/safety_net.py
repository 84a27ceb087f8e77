"""Deterministic crisis detection that runs on every message, whatever the NLU model predicts.

The NLU model has crisis intents too; this net exists so that a crisis message is never lost to a
low-confidence prediction, a fallback or an active form. It errs on the side of caution: only an
explicit negation in the same clause ("ik wil niet dood", "hij slaat me niet") disarms a signal, and
"niet meer" ("ik wil niet meer leven") is a signal, not a negation.

Besides the direct phrases it knows indirect signals (issue 19): medication saved up, self-harm made
conditional on bad news ("als ik eruit gezet word dan ben ik er niet meer"), goodbye letters and
arrangements "for after", exhaustion phrased as wanting everything to stop, the self-harm words of young
people and a parent reporting self-harm by their child, and the common English phrases of danger.
Weaker hints ("ik wil dat alles ophoudt" without exhaustion, "ik ga dood van de stress") are not a
crisis but a *possible* signal (`Assessment.possible`): the assistant then checks in gently and still
answers the question (README "Safety net").

Pure Python on purpose: no Rasa import, so it can be tested and reused anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class CrisisKind(str, Enum):
    """Crisis intents, most urgent first. The values are the Rasa intent names."""

    ACUTE_DANGER = "crisis_acute_danger"
    SUICIDE = "crisis_suicide"
    SELF_HARM = "crisis_self_harm"
    CHILD_DANGER = "crisis_child_danger"
    SEXUAL_VIOLENCE = "crisis_sexual_violence"
    DOMESTIC_VIOLENCE = "crisis_domestic_violence"


CRISIS_INTENTS = frozenset(kind.value for kind in CrisisKind)
#: Violence against someone: "nu"/"op dit moment" next to it means acute danger (112 first), and an
#: unsure hint of it gets the check-in that names Veilig Thuis. Members compare equal to their intent names.
VIOLENCE_KINDS = frozenset(
    {CrisisKind.DOMESTIC_VIOLENCE, CrisisKind.CHILD_DANGER, CrisisKind.SEXUAL_VIOLENCE}
)


@dataclass(frozen=True)
class Assessment:
    """Outcome of the check: the crisis kind (if any) and what was matched, for logs and tests."""

    kind: CrisisKind | None
    signals: tuple[str, ...] = field(default=())
    negated_signals: tuple[str, ...] = field(default=())
    #: A weaker hint of this kind (only when `kind` is None): a gentle check-in, not a crisis reply.
    possible: CrisisKind | None = None
    possible_signals: tuple[str, ...] = field(default=())
    #: Everyday phrases with crisis words ("dood van het lachen", "snijdt haar eigen haar"): they veto
    #: a crisis guess of the NLU model alone (safety_component.py).
    harmless_signals: tuple[str, ...] = field(default=())
    #: The message says something is going on right now ("op dit moment", "right now").
    now_mentioned: bool = False
    #: The only signal is an attempt long ago that the resident says is over: a check-in, never a crisis
    #: reply, also when the model or the semantic check would read a crisis (safety_component.py).
    past_and_over: bool = False
    #: The message only names a crisis topic for a course, a training or a school project: no crisis reply.
    about_the_topic: bool = False

    @property
    def settled(self) -> bool:
        """The net read the crisis words and decided they are no crisis now (past and over, or a topic)."""
        return self.past_and_over or self.about_the_topic

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
_CHILD_WORDS = (
    r"kind|kinderen|kindje|kindjes|kids|zoon|zoontje|dochter|dochtertje|baby|babytje|peuter|kleuter|"
    r"neefje|nichtje|buurkind|buurkinderen|buurjongen|buurjongetje|buurmeisje|buurmeid|kleinkind|"
    r"kleinkinderen|kleinzoon|kleindochter|stiefkind|stiefzoon|stiefdochter|leerling|tiener|puber|meisje|jongetje|broertje|"
    r"zusje|pleegkind"
)
_CHILD = r"(?:" + _CHILD_WORDS + r")"
# Hitting verbs before their subject, as Dutch puts them after a first clause ("als ik geld vraag, slaat hij me"),
# and the endings that make such a phrase no violence ("schopt hij me eruit", "slaat hij me om de oren met regels").
_HITS_FIRST = r"(?:slaat|sloeg|schopt|schopte|duwt|duwde|stompt|stompte|trapt|trapte|knijpt|kneep|wurgt|wurgde|smijt|smeet)"
_NOT_AS_AN_IDIOM = r"(?! (?:\w+ ){0,2}(?:eruit|de deur uit|het huis uit|om de oren|dood van het lachen)\b)"
_PARENT = r"(?:vader|moeder|pa|ma|papa|mama|stiefvader|stiefmoeder|ouders|stiefpa|stiefma)"
_VICTIM = r"(?:me|mij|haar|hem|ons|mijn moeder|mijn vader|mijn oma|mijn opa|oma|opa)"


def _touched_by_an_adult(victim: str) -> tuple[str, str]:
    """ "De buurman haar aanraakt", "de trainer van mijn zoon raakt hem aan": a neighbour, an uncle, a trainer, a
    babysitter who touches `victim` (not a partner: "als mijn vriend me aanraakt" is no signal)."""
    adult = r"(?:buurman|oom|opa|stiefvader|stiefopa|trainer|meester|leraar|neef|oppas|babysitter)"
    return (
        adult
        + r" (?:\w+ ){0,2}"
        + victim
        + r" (?:\w+ ){0,2}(?:aanraakt|aanraakte|betast|betastte|aanzit|aanzat)\b",
        adult + r" (?:\w+ ){0,3}(?:raakt|raakte) " + victim + r" (?:\w+ ){0,3}aan\b",
    )


_HARM = (
    r"(?:slaat|sloeg|slaan|geslagen|schopt|schopte|schoppen|geschopt|trapt|trapte|getrapt|mishandelt|"
    r"mishandeld|mishandeling|mishandelen|wurgt|wurgde|gewurgd|knijpt|doet (?:me|mij|haar|hem|ze) pijn|"
    r"pijn doet|bedreigt|bedreigd|dreigt|misbruikt|misbruik|verwaarloosd|verwaarloost|opgesloten|"
    r"blauwe plekken|in elkaar geslagen|aangevallen)"
)

_EN_HARM = (
    r"(?:hits|hit|hitting|beats|beat|beating|beats up|beat up|kicks|kicked|kicking|chokes|choked|"
    r"strangles|strangled|hurts|hurt|hurting|threatens|threatened|abuses|abused|rapes|raped|attacks|attacked)"
)

# "wil dood" also matches "wil niet dood", so that the negation inside the match is seen and disarms it.
# "ik ga dood van de stress/het lachen" is an idiom: handled by _DIE_OF below, not here.
# "als ze weer verliezen", "als Ajax wint": a team, then only adverbs before the verb. Not "als we het huis
# verliezen": with an object it is bad news, and a threat made conditional on it is a crisis signal.
_SUPPORTED_TEAM_LOSES = (
    r"(?:ze|we|wij|hij|zij|die|ajax|psv|feyenoord|az|oranje|(?:mijn|onze|de) (?:club|ploeg|team)|ons team)"
    r"(?: (?:weer|nog|zondag|zaterdag|vanavond|morgen|straks|nou|nu|echt|ook|vandaag|thuis|uit))* "
    r"(?:verliezen|verliest|verloren|winnen|wint|degraderen|degradeert|scoren|scoort|gelijkspelen|"
    r"kampioen worden|de finale verliezen)\b(?! (?:\w+ ){0,1}(?:bij de rechter|de zaak|de rechtszaak|het beroep|het huis))"
)
_WANT_TO_DIE = _rx(
    r"(?:wil|wilt|wou|wilde|ga|gaat|zou) (?:ik |)(?:(?:echt|helemaal|eigenlijk|soms|ook|al|zo|weer|nu|steeds|vaak|bijna|"
    r"nog|toch|dan|gewoon) )*(?:niet |nooit |)"
    r"(?:(?:graag|liever|gewoon|echt|het liefst|liefst|eigenlijk) )*(?:dood|sterven)(?! (?:van|aan)\b)"
)
_PILLS = (
    r"(?:pillen|pilletjes|medicijnen|medicatie|tabletten|slaappillen|slaapmiddelen|slaaptabletten|"
    r"oxazepam|temazepam|paracetamol|insuline|antidepressiva|pijnstillers)"
)
_BODY = (
    r"(?:arm|armen|onderarm|onderarmen|bovenarm|bovenarmen|pols|polsen|been|benen|bovenbeen|bovenbenen|dij|dijen|"
    r"dijbeen|dijbenen|buik|heup|heupen|huid|handen|hand)"
)
_SELF = r"(?:mezelf|mijzelf|me|mij)"
_THEMSELF = r"(?:zichzelf|zich|haarzelf|hemzelf)"

# Each pattern runs on normalised text (lower case, no accents, single spaces, no punctuation).
SUICIDE_PATTERNS = (
    _rx(r"zelf ?(?:moord|moort|doding|dooding)\w*", r"su[i]?[c]?id\w*", r"suicid\w*", r"suisid\w*"),
    _rx(
        r"niet meer (?:willen |wil |)(?:leven|verder|bestaan|wakker worden|wakker te worden)",
        r"(?:stoppen|stop|ophouden|op te houden|te stoppen) met (?:het |)leven",
        r"nooit meer (?:willen |wil |)(?:wakker worden|wakker te worden|wakker word)",
    ),
    _WANT_TO_DIE,
    _rx(r"dood (?:willen|wil|wilt|gaan)", r"(?:beter|liever|maar) dood", r"dood zijn is beter"),
    _rx(
        r"(?:zie|zien|ziet) (?:ik |je |jij |hij |zij |ze |we |)(?:het|t|het leven|mijn leven) (?:echt |allemaal |gewoon |)"
        r"niet meer zitten"
    ),
    _rx(
        r"(?:een|n) (?:eind|einde) (?:aan|maken aan) (?:maken|mijn leven|m'n leven|het leven|alles)",
        r"er (?:een |)(?:eind|einde) aan (?:\w+ ){0,2}maken",
        r"uit het leven stappen",
        r"van het leven beroven",
        r"(?:een|1) stap (?:\w+ ){0,2}(?:en|dan) (?:is het|het is) (?:voorbij|klaar|over|gedaan)",
        # "op het perron denk ik: een stapje naar voren en klaar"
        r"(?:een|1|n|nog een) (?:stap|stapje|stapjes|paar stappen) (?:\w+ ){0,2}(?:naar voren|vooruit|over de rand|"
        r"van de rand|van het perron|voor de trein|de diepte in|naar beneden)(?: \w+){0,2} (?:en|dan) (?:is het |het is |"
        r"ben ik |)(?:\w+ ){0,1}(?:klaar|voorbij|over|gedaan|weg|rust|er niet meer)",
        r"(?:perron|spoor|rails|rand|dakrand|brug|reling) (?:[\w']+ ){0,8}(?:denk|dacht|denken) (?:\w+ ){0,4}"
        r"(?:een |1 |)(?:stap|stapje) (?:naar voren|vooruit|verder|opzij)",
        r"(?:one|a|1) (?:small |little |)step (?:forward|closer|off|over the edge) (?:\w+ ){0,2}(?:and|then) "
        r"(?:it's|it is|it would be|it'd be|i'm|i am|i'd be|it all) (?:\w+ ){0,1}(?:over|done|finished|gone)",
        # driving into a tree, a wall or a lorry to end it ("als ik tegen die boom rij is het voor ons allebei klaar")
        r"(?:tegen|op|in) (?:een|die|de|het) (?:boom|muur|pijler|brugpijler|vrachtwagen|vrachtauto|tegenligger|"
        r"betonblok|viaduct) (?:\w+ ){0,2}(?:rij|rijd|rijden|knal|knallen|stuur|sturen|te rijden|aanrij|inrij)"
        r"(?: \w+){0,3} (?:is het|dan is het|en is het|ben ik|zijn we|dan ben ik|dan zijn we) (?:\w+ ){0,3}"
        r"(?:klaar|voorbij|over|gedaan|afgelopen|er niet meer|niet meer|dood|weg)",
        r"(?:rij|rijd|rijden|knal|knallen|stuur|sturen|crash|crashen|scheur) (?:\w+ ){0,3}(?:tegen|op) (?:een|die|de|het) "
        r"(?:boom|muur|pijler|brugpijler|vrachtwagen|vrachtauto|tegenligger|betonblok|viaduct) (?:\w+ ){0,2}"
        r"(?:is het|dan is het|en is het|ben ik|zijn we|dan ben ik|dan zijn we) (?:\w+ ){0,3}"
        r"(?:klaar|voorbij|over|gedaan|afgelopen|er niet meer|niet meer|dood|weg)",
        r"(?:drive|drove|driving|crash|crashing|steer|steering) (?:\w+ ){0,3}into (?:a|that|the|an) (?:tree|wall|truck|"
        r"lorry|oncoming \w+|pillar|bridge) (?:\w+ ){0,3}(?:and |then |)(?:it's|it is|it would be|it'd be|it will be|"
        r"we'd be|we are|i'd be|end it|be over|be dead|be gone|die)",
        r"het stuur (?:\w+ ){0,2}(?:omgooien|omgooi|om te gooien|omgooide) (?:\w+ ){0,6}(?:boom|tegenligger|"
        r"vrachtwagen|muur|klaar|voorbij|dood)",
        r"maak (?:ik |)er (?:\w+ ){0,1}(?:een |)(?:eind|einde) aan$",
    ),
    _rx(
        r"(?:mezelf|mijzelf|mezelve|me|mij) (?:iets |wat |)(?:aan ?doen|aan ?doe|ophangen|doodmaken|dood maken|"
        r"van kant maken|om het leven brengen|iets aandoen|wat aandoen)",
        r"(?:doe|doet) (?:ik |)(?:mezelf|mijzelf|me|mij) (?:iets|wat) aan",
    ),
    _rx(
        r"(?:het|t|leven) hoeft (?:voor mij |van mij |)niet meer",
        r"geen (?:zin|reden) (?:meer |)(?:in|om te) (?:het |)leven",
        r"(?:zie|zien|ziet) (?:ik |je |hij |zij |ze |)(?:het |er |)(?:\w+ ){0,2}(?:nut|zin) (?:\w+ ){0,2}niet meer "
        r"(?:van|in|om)(?: (?:om|van|het))* (?:leven|te leven|verder te leven|doorleven)\b",
        r"mijn leven heeft geen zin",
    ),
    _rx(
        r"denk (?:\w+ ){0,2}aan (?:doodgaan|dood gaan|de dood|sterven|er niet meer zijn)",
        r"(?:gedachten|gedachtes) (?:over|aan) (?:doodgaan|dood gaan|de dood|sterven)",
    ),
    _rx(
        r"voor (?:de|een) trein (?:springen|spring|gaan liggen)",
        r"van (?:de|een|het) (?:brug|flat|dak|balkon|parkeergarage) (?:\w+ ){0,1}(?:springen|spring)",
        r"(?:spring|springen|sprong) (?:\w+ ){0,3}van (?:de|het|een|mijn|ons) (?:brug|flat|dak|balkon|raam|gebouw|"
        r"parkeergarage)",
        r"(?:alle|al mijn|al m'n|een hele (?:doos|strip|pot|pot met)) "
        + _PILLS
        + r" (?:\w+ ){0,3}(?:in (?:een|1) keer |"
        r"tegelijk |)(?:te |)(?:nemen|innemen|in te nemen|slikken|opnemen)",
        r"(?:gegoogeld|opgezocht|gezocht|googelen|opzoeken) (?:\w+ ){0,5}(?:dodelijk|dodelijke dosis|fataal|"
        r"om dood te gaan|zonder pijn dood)",
        r"hoeveel (?:\w+ ){0,3}(?:dodelijk (?:is|zijn)|je nodig hebt om dood te gaan)",
        # a method looked up: "how long does hanging take" in a search history
        r"how (?:long|much time) (?:does|do|would|will) (?:it take to |)(?:\w+ ){0,1}(?:hanging|drowning|bleeding out|"
        r"an overdose|suffocating|suffocation|to die)",
        r"how long (?:it takes|does it take) (?:\w+ ){0,1}(?:to die|to hang|to drown|to bleed out|to suffocate)",
        r"how (?:to|do you|do i|can i|would you) (?:\w+ ){0,1}(?:hang (?:yourself|myself|oneself)|overdose|"
        r"kill (?:yourself|myself|oneself)|end (?:your|my) life|die painlessly)",
        r"(?:painless|painlessly|quickest|quick|easiest|easy|best) (?:\w+ ){0,1}(?:way|ways|method|methods) to "
        r"(?:die|end it|end (?:my|your|his|her) life|kill (?:yourself|myself|himself|herself))",
        r"hoe lang (?:duurt|het duurt) (?:\w+ ){0,2}(?:ophangen|opgehangen|verdrinken|doodbloeden|stikken|verstikking|"
        r"een overdosis|doodgaan|dood te gaan|sterven)",
        r"hoe (?:je|kun je|kan je|kan ik|moet je|moet ik) (?:\w+ ){0,2}(?:jezelf|zichzelf|mezelf|je|me) "
        r"(?:\w+ ){0,2}(?:ophangt|ophangen|van kant maakt|van kant maken|doodmaakt|dood maakt|om het leven brengt)",
        r"(?:pijnloos|pijnloze|snelste|makkelijkste) (?:\w+ ){0,2}(?:dood (?:gaan|te gaan)|doodgaan|sterven|"
        r"zelfmoord|manier om dood te gaan|een einde te maken)",
        r"(?:knife|pills|gun|rope) (?:\w+ ){0,6}(?:on|to kill|to hurt|against) myself",
        r"auto (?:\w+ ){0,4}(?:in de garage|de garage in) (?:\w+ ){0,2}(?:laat lopen|laten lopen|laat draaien|"
        r"laten draaien|aan laat|aan laten)",
        r"(?:letter|letters|note|notes) (?:\w+ ){0,8}(?:wasn't|was not|isn't|is not|it's not) (?:their|your|his|her|"
        r"my family's) fault",
        r"(?:brief|brieven|briefje|briefjes|bericht|berichten) (?:\w+ ){0,8}(?:niet aan (?:hen|jou|jullie|hem|haar) "
        r"(?:ligt|lag)|niet (?:hun|jouw|jullie|zijn|haar) schuld)",
        r"(?:looked up|searched|googled|checked) (?:\w+ ){0,4}(?:highest|how high|tallest) (?:\w+ ){0,3}"
        r"(?:bridge|building|flat|car park)",
        r"(?:opgezocht|gegoogeld|gezocht|opzoeken) (?:\w+ ){0,4}(?:hoe hoog|hoogste) (?:\w+ ){0,3}(?:brug|flat|gebouw|"
        r"dak|parkeergarage)",
        r"(?:railing|ledge|edge) of (?:the|a) (?:\w+ ){0,1}\w*(?:bridge|brug|roof|building|flat|car park)",
        r"(?:(?:mijn|m'n) laatste dag (?:wordt|is|zal zijn|op aarde)|(?:is|wordt) (?:mijn|m'n) laatste dag)"
        r"(?! (?:\w+ ){0,2}(?:op het werk|op mijn werk|bij|op school|in dienst|van mijn contract|op kantoor))",
        r"(?:will be|is going to be) my last day(?! (?:\w+ ){0,2}(?:at work|at the office|at school|of work))",
        r"(?:looked up|searched|googled|checked) (?:\w+ ){0,3}which (?:bridge|building|flat|car park) (?:\w+ ){0,5}"
        r"(?:highest|tallest)",
        r"(?:opgezocht|gegoogeld|gezocht) (?:\w+ ){0,3}welke (?:brug|flat|toren|parkeergarage) (?:\w+ ){0,4}(?:hoogst|"
        r"hoogste)",
    ),
    # medication saved up: a warning sign on its own
    _rx(
        _PILLS
        + r" (?:\w+ ){0,6}(?:opgespaard|gespaard|verzameld|opgepot|achtergehouden|apart gelegd|apart gehouden|"
        r"klaargelegd|klaar gelegd|achter de hand)(?! (?:\w+ ){0,2}(?:voor de|voor mijn|voor m'n) (?:vakantie|reis|"
        r"weekend|logeerpartij|week|baxter|weekdoos|apotheek))",
        r"(?:spaar|spaart|sparen|verzamel|verzamelt|verzamelen|pot|hou|houd|houdt) (?:\w+ ){0,5}"
        + _PILLS
        + r"(?: \w+){0,3} (?:op|achter|apart)",
        r"(?:verzamel|verzamelt|verzamelen|spaar|spaart|sparen) (?:\w+ ){0,2}" + _PILLS,
        r"genoeg "
        + _PILLS
        + r" (?:\w+ ){0,3}(?:om|voor) (?:\w+ ){0,3}(?:op te houden|er een|een eind|dood|klaar|"
        r"te stoppen|niet meer)",
        _PILLS + r" (?:\w+ ){0,3}(?:bewaar|bewaart|bewaard|gespaard) voor (?:als|wanneer|het moment)",
    ),
    # goodbye letters, arrangements "for after"
    _rx(
        r"afscheids ?(?:brief|brieven|briefje|briefjes|bericht|berichten|berichtje|video|filmpje)\w*",
        r"(?:brief|brieven|briefje|bericht|berichten) (?:\w+ ){0,5}(?:voor |)(?:als ik er niet meer ben|"
        r"na mijn dood|als ik dood ben|als ik weg ben)",
        r"(?:geregeld|regel|regelen|klaargezet|opgeruimd|weggegeven|op orde) (?:\w+ ){0,3}(?:voor |)"
        r"(?:als ik er niet meer ben|na mijn dood|als ik dood ben)",
        r"afscheid (?:genomen|nemen) van (?:iedereen|de wereld|het leven)",
        r"(?:spullen|bezittingen) (?:\w+ ){0,2}weggegeven (?:\w+ ){0,3}afscheid",
        r"strop",
        r"touw (?:\w+ ){0,3}(?:klaarliggen|klaar liggen|klaargelegd|klaar gelegd|klaarhangen|opgehangen)",
    ),
    # having stood at the railway or an edge: an attempt or a rehearsal, told afterwards
    _rx(
        r"(?:heb|had|hebben) (?:[\w']+ ){0,6}(?:bij|op|aan|langs) (?:het|de|een) (?:spoor|spoorlijn|rails|treinrails|"
        r"brug|rand|dakrand|dak|flat|reling) (?:[\w']+ ){0,4}(?:gestaan|gezeten)",
        r"(?:sta|zit) ik (?:\w+ ){0,3}(?:bij|op|aan) (?:het spoor|de rails|de treinrails|de spoorlijn|de rand|"
        r"de dakrand|de brug) (?:\w+ ){0,3}(?:te kijken|en denk|te denken)",
        r"stond (?:ik |)(?:\w+ ){0,3}(?:bij|op|aan) (?:het spoor|de rails|de treinrails|de spoorlijn|de rand|de dakrand)"
        r"(?! (?:\w+ ){0,3}(?:te wachten|wachten))",
        # looking at the rails or down from a height for a long time ("sta ik daar uren naar het spoor te staren")
        r"(?:sta|zit|stond|zat) (?:ik |)(?:\w+ ){0,5}naar (?:het spoor|de rails|de treinrails|de sporen|de diepte|"
        r"beneden) te (?:kijken|staren|turen)",
    ),
    # exhaustion phrased as a wish not to exist
    _rx(
        r"(?:wil|wou|wilde) (?:\w+ ){0,2}er niet meer zijn",
        r"(?:wou|wilde|zou willen|wens) (?:\w+ ){0,2}dat ik (?:er |)(?:niet meer|nooit) (?:was|bestond|leefde|geboren)",
        r"(?:wou|wilde) (?:\w+ ){0,2}dat ik dood was",
        r"(?:was|ben) ik er maar niet meer",
        r"voor altijd (?:slapen|inslapen|in slaap|rust)",
        r"(?:ben|is) het leven moe",
        r"eeuwige rust",
        r"niemand (?:zou|zal) (?:me|mij) (?:\w+ ){0,1}missen",
        r"beter af (?:zijn |)(?:\w+ ){0,4}zonder (?:mij|me)\b",
        r"(?:wil|wilt|wou) (?:gewoon |)(?:niet meer|nooit meer) (?:bestaan|leven)",
        r"(?:uitweg|oplossing) (?:\w+ ){0,7}(?:er niet meer (?:zijn|ben|is)|niet meer leven|dood (?:gaan|zijn)|doodgaan)",
    ),
    # English
    _rx(
        r"(?:kill|killing|kil) (?:my ?self|myselfe)(?! (?:working|with work|at work|to (?:pay|get|make|finish|keep)|over|"
        r"laughing|for (?:this|that|them|nothing)))",
        r"end (?:my|it) (?:life|all)",
        r"take my (?:own |)life",
        r"end(?:ing|s|ed|) (?:my|his|her|their) (?:own |)life",
        r"(?:i|i'll|ill|i will|gonna|going to) end it(?: all|)$",
        r"(?:wish|hope) (?:\w+ ){0,2}(?:wouldn't|would not|won't|will not|didn't|did not) wake up",
        r"(?:want|wanna|wish|plan|planning|ready) (?:\w+ ){0,1}(?:to |)die",
        r"(?:wish|want) (?:\w+ ){0,1}(?:i was|i were|to be) dead",
        r"better off (?:dead|without me)",
        r"(?:don't|dont|do not) want to (?:live|be alive|be here|exist) (?:anymore|any more|no more)",
        r"no (?:reason|point) (?:to live|in living|to go on)",
        r"not worth living",
        r"(?:sleep|fall asleep) and never wake up",
        r"goodbye (?:letter|letters|note|notes)",
        r"(?:saving|saved|stockpiling|hoarding) (?:up |)(?:my |)(?:pills|meds|medication|tablets)",
    ),
)
SELF_HARM_PATTERNS = (
    _rx(r"zelf ?beschadiging\w*", r"zelf ?verwonding\w*", r"automutilatie", r"self ?harm\w*"),
    # Arabic, Turkish, Polish, Ukrainian, Russian (accents stripped by `normalise`)
    _rx(
        r"(?:تجرح|يجرح|اجرح|توذي|يوذي|اوذي|تقطع|يقطع|اقطع) نفس(?:ها|ه|ي)",
        r"kendi(?:ne|me|ni|mi) (?:\w+ ){0,1}(?:zarar ver\w*|kes\w*)",
        r"(?:tnie|tne|tniesz|okalecza|okaleczam) sie",
        r"samookalecz\w*",
        r"(?:ріже|ріжу|режет|режу) себе|(?:режет|режу) себя|(?:шкодить|шкоджу) собі",
    ),
    # first person: "ik snij mezelf", "ik kras in mijn armen", "mezelf pijn doen"
    _rx(
        r"(?:snij|snijd|sneed|kras|kraste|krab|brand|verwond|beschadig) (?:ik |)"
        + _SELF
        + r"\b(?! (?:aan|op) )",
        r"(?:snij|snijd|sneed|kras|kraste|snijden|krassen) (?:ik |)(?:\w+ ){0,1}in (?:mijn|m'n|mn) " + _BODY,
        r"in (?:mijn|m'n|mn) " + _BODY + r" (?:\w+ ){0,1}(?:gesneden|gekrast|snijden|krassen)",
        r"(?:sla|slaan|bonk|bonken|bons|bonzen) (?:ik |)(?:mezelf|mijzelf|mijn hoofd|m'n hoofd) (?:\w+ ){0,3}"
        r"(?:tot|blauw|blauwe plekken|bloed|tegen de muur)",
        r"(?:snijwonden|sneden|sneeen|wonden|krassen|brandwonden) (?:\w+ ){0,1}op (?:zijn|haar|z'n|mijn|m'n) "
        r"(?:armen|arm|polsen|pols|benen|bovenbenen|buik) (?:\w+ ){0,12}(?:verdient|verdien|zelf gedaan|doet het zelf|"
        r"zichzelf|mezelf)",
        r"(?:heb|had) (?:mezelf|mijzelf|me) (?!(?:\w+ ){0,2}in (?:de|mijn|m'n|eigen) vingers)(?:\w+ ){0,4}"
        r"(?:gesneden|gekrast|verwond|beschadigd|gebrand)",
        r"(?:mezelf|mijzelf) (?:\w+ ){0,3}(?:pijn doen|pijn doe|pijn te doen|pijn gedaan|beschadigen|beschadig|"
        r"verwonden|snijden|krassen|branden|verbranden)",
        r"doe (?:ik |)(?:mezelf|mijzelf) (?:\w+ ){0,1}pijn",
        r"(?:ben|ik) (?:\w+ ){0,2}aan het krassen",
        r"ik (?:\w+ ){0,2}kras(?! (?:een|het|de|die|dat|mijn|m'n|je|dit)\b)",
        r"kras ik",
        # a plan or habit: "dan ga ik weer krassen", "ik ga vanavond snijden" (not "krassen op de auto")
        r"(?:(?:ga|ging) ik|ik (?:ga|ging)) (?:(?:weer|opnieuw|toch|dan|vanavond|vannacht|straks|meteen) ){0,2}"
        r"(?:krassen|cutten|snijden)\b(?! (?:op|in|van|aan|uit|met)\b)",
        r"(?:(?:ik |^)(?:heb|had)|(?:heb|had) ik) (?:(?:weer|opnieuw|toch|gisteren|vannacht|vandaag|al|nog|ook|net|even|"
        r"vorige week) ){0,3}(?:gecut|gecutt|gekrast)(?! (?:op|in) (?:de|het|een)\b)",
        r"ik (?:\w+ ){0,1}(?:cut|cutte)(?= (?:weer|mezelf|mijzelf|me|soms|vaak|elke|nog|al|sinds|als|wanneer|omdat)\b|$)",
        r"(?:weer|opnieuw) (?:begonnen |gestart |)met (?:cutten|snijden|krassen)",
        r"(?:relapse|terugval) (?:\w+ ){0,4}(?:cutten|snijden|krassen|zelfbeschadiging|self harm|sh)\b",
        r"(?:cutten|gecut|krassen|gekrast|zelfbeschadiging|self harm|sh) (?:\w+ ){0,6}(?:relapse|terugval)",
        r"(?:aansteker|sigaret|peuk|lucifer|strijkijzer) (?:\w+ ){0,3}tegen (?:mijn|m'n|mn|haar|zijn|z'n) "
        + _BODY,
        r"(?:verbrand|brand|brandde) (?:ik |)(?:mijn|m'n|mn) "
        + _BODY
        + r" (?:\w+ ){0,1}met (?:een |)(?:aansteker|"
        r"sigaret|peuk|lucifer|strijkijzer)",
    ),
    # a child or young person who does it, reported by a parent or someone else
    _rx(
        _CHILD
        + r" (?:\w+ ){0,4}(?:snijdt|snijd|sneed|krast|kraste|beschadigt|verwondt|brandt) (?:\w+ ){0,1}"
        + _THEMSELF
        + r"\b",
        _CHILD + r" (?:\w+ ){0,4}(?:doet|deed) " + _THEMSELF + r" (?:\w+ ){0,1}pijn",
        _CHILD
        + r" (?:\w+ ){0,4}(?:snijdt|sneed|krast|kraste) (?:\w+ ){0,1}(?:in |)(?:haar|zijn|z'n) "
        + _BODY,
        _CHILD
        + r" (?:\w+ ){0,4}"
        + _THEMSELF
        + r" (?:\w+ ){0,1}(?:pijn doet|pijn deed|snijdt|krast|beschadigt|verwondt)",
        r"(?:sneetjes|snijwonden|krassen|wondjes|littekens|sneeen) (?:\w+ ){0,2}op (?:haar|zijn|de|z'n) "
        + _BODY
        + r"(?: van (?:mijn|onze|m'n) "
        + _CHILD
        + r")?",
    ),
    # English
    _rx(
        r"(?:cut|cutting|cuts|hurting|harm|harming|harms|burning) (?:my ?self|her ?self|him ?self|them ?selves)",
        r"(?:hurt|hurts|burn|burns|burned|burnt) (?:my ?self|her ?self|him ?self|them ?selves) (?:on purpose|again)",
        r"\b(?:i|he|she|they) (?:\w+ ){0,2}(?:burn|burns|burned|burnt|cut|cuts|hurt|hurts|scratch|scratches|scratched) "
        r"(?:my ?self|him ?self|her ?self|them ?selves)(?= (?:with|using|when|whenever|every|because|to feel|until|"
        r"again|on purpose|so that)\b)(?! with (?:a |the |)(?:knife|razor|scissors) (?:while|cooking|shaving))",
        r"(?:burn|burns|burned|burnt|burning) (?:my|his|her|their) (?:arm|arms|skin|wrist|wrists|leg|legs|hand|hands|"
        r"thigh|thighs|stomach) (?:\w+ ){0,1}(?:with|using) (?:a |an |)(?:lighter|lighters|cigarette|cigarettes|"
        r"match|matches)",
        r"(?:lighter|cigarette|match) (?:\w+ ){0,2}(?:against|on|to) (?:my|his|her) (?:arm|arms|skin|wrist|leg|legs|"
        r"hand|thigh|thighs)",
        r"\bi (?:\w+ ){0,1}(?:cut|burned|burnt) (?:deeper|again|my (?:arm|arms|wrist|wrists|legs|thighs|skin))",
        r"(?:started|start|starting|began|begun|been|keep|keeps|kept|is|was) cutting(?! (?:costs|back|down|hair|the|my hair|coupons|"
        r"wood|paper|vegetables|bread|class|school|corners))",
        r"(?:hit|hitting|bang|banging|punch|punching) my (?:head|fist|fists) (?:\w+ ){0,3}(?:against|into|on) "
        r"(?:the |a |)(?:wall|door|floor)",
        r"(?:begonnen|begin|beginnen|gestart) (?:\w+ ){0,2}met (?:snijden|krassen|mezelf snijden)",
    ),
)
DOMESTIC_PATTERNS = (
    _rx(r"huiselijk geweld", r"geweld (?:thuis|in huis|in (?:mijn|ons) huis)", r"relationeel geweld"),
    # "he beats me" in languages many residents speak at home (accents stripped by `normalise`): Turkish,
    # Polish, Arabic. The reply is Dutch with one English line; the number is what matters.
    _rx(
        r"\bbeni (?:\w+ ){0,1}dov(?:uyor|du|er|mek)\b",
        r"\bdov(?:uyor|du) beni\b",
        r"\b(?:bije|pobil|pobił|uderza|uderzyl|uderzył) mnie\b",
        r"\bmnie (?:\w+ ){0,1}(?:bije|pobil|pobił)\b",
        r"يضربني",
        r"\bi garaac\w*",  # Somali: "(he) beats me"
        # Ukrainian and Russian
        r"(?:б'є|бʼє|бьет|бьёт|избивает) (?:мене|меня)",
        r"(?:мене|меня) (?:\w+ ){0,1}(?:б'є|бʼє|бьет|бьёт|избивает|вдарив|вдарил|побив|побил|бив|бил)",
        r"(?:вдарив|вдарил|побив|побил) (?:мене|меня)",
    ),
    # with a time between ("mijn ex-man heeft me jaren geleden mishandeld"), so that a past that is over is known
    _rx(
        _PERSON + r" (?:man|vrouw|partner|vriend|vriendin|ex|echtgenoot|echtgenote) (?:\w+ ){0,3}"
        r"(?:(?:jaren|lang|maanden|weken|een tijd|\d+ jaar|twee jaar|drie jaar|tien jaar) geleden |vroeger |)"
        + _HARM
    ),
    _rx(
        _PERSON + r" (?:zoon|broer|zus|schoonvader|schoonmoeder|buurman|buurvrouw|huisgenoot|kamergenoot) "
        r"(?:\w+ ){0,3}" + _HARM + " " + _VICTIM
    ),
    _rx(r"(?:hij|zij|ze) (?:\w+ ){0,2}" + _HARM + " " + _VICTIM),
    # subordinate word order: "(ik besefte) dat hij mij slaat", "omdat ze me schopt"
    _rx(
        r"(?:hij|zij|ze) (?:me|mij) (?:(?!eruit|buiten|weg)\w+ ){0,1}(?:slaat|sloeg|schopt|schopte|trapt|trapte|"
        r"mishandelt|wurgt|wurgde|knijpt|in elkaar slaat|pijn doet)\b(?! (?:\w+ ){0,3}(?:dicht|eruit|kapot)\b)"
    ),
    _HE_HURTS := _rx(
        r"doet (?:hij|zij|ze) (?:me|mij|ons|haar) (?:\w+ ){0,1}pijn",
        # "hij heeft al eerder geslagen", not "hij heeft een glas kapot geslagen": only these words between
        r"(?:hij|zij) heeft (?:(?:al|ook|me|mij|haar|ons|eerder|vaker|vaak|eens|wel|weer|toen|nooit|een keer|"
        r"meerdere keren) ){0,3}geslagen",
    ),
    # "hij heeft me geslagen", "die heeft mijn hoofd tegen de kast geslagen", "knijpt hard in mijn arm"
    _HIT_ME := _rx(
        r"(?:hij|zij|ze|die) (?:\w+ ){0,3}(?:me|mij) (?:\w+ ){0,4}(?:geslagen|geschopt|gewurgd|mishandeld|getrapt|"
        r"gebeten|gestompt|in elkaar geslagen)",
        r"(?:mijn|m'n) (?:hoofd|gezicht) (?:\w+ ){0,3}(?:geslagen|gebeukt|gebonkt|gegooid)",
        r"(?:slaat|knijpt|schopt|stompt|trapt|duwt) (?:\w+ ){0,3}(?:in|op|tegen) (?:mijn|m'n) (?:arm|armen|gezicht|"
        r"hoofd|nek|keel|buik|rug)",
    ),
    # heard through the wall
    _rx(
        r"(?:klappen|slaan|gebonk) en (?:gegil|geschreeuw|gehuil|gegil)",
        r"(?:gegil|geschreeuw|gehuil) en (?:klappen|slaan)",
    ),
    # a child or adult child writing about one parent hurting the other
    _rx(
        _PARENT
        + r" (?:\w+ ){0,3}"
        + _HARM
        + r" (?:(?:mijn|m'n|mn|onze|ons) |)(?:vader|moeder|pa|ma|papa|mama|"
        r"stiefvader|stiefmoeder)"
    ),
    _BEING_HURT := _rx(
        r"(?:word|wordt|werd|ben|is) (?:\w+ ){0,3}(?:mishandeld|geslagen|bedreigd|geschopt|gewurgd|in elkaar geslagen)",
        r"(?:mishandeld|geslagen|bedreigd|geschopt|gewurgd) (?:word|wordt|werd)",
    ),
    # strangling: "bij mijn keel gepakt tot ik bijna flauwviel"
    _rx(
        r"(?:bij|aan|om) (?:mijn|m'n|de|haar|mn) (?:keel|nek|hals) (?:\w+ ){0,2}(?:gepakt|gegrepen|vastgepakt|"
        r"vastgehouden|geknepen|dichtgeknepen|dichtgedrukt)",
        r"(?:keel|hals) (?:\w+ ){0,1}(?:dichtgeknepen|dichtgedrukt|dichtgeknepen)",
        r"(?:pakt|grijpt|knijpt|pakte|greep|kneep) (?:\w+ ){0,2}(?:me|mij|haar) (?:\w+ ){0,1}(?:bij|aan|in) "
        r"(?:mijn|m'n|de|haar) (?:keel|nek|hals)",
        r"(?:threw|throws|thrown|throwing) (?:\w+ ){0,3}at (?:me|her|us|my head)",
        r"(?:found|saw|noticed|has|had|have) (?:\w+ ){0,1}bruises on (?:his|her|my) (?:wrists|wrist|arms|arm|face|neck|"
        r"legs|back)",
        r"(?:(?:heeft|had|hebben) (?:ze|hij|zij|mijn moeder|mijn vader|oma|opa)|(?:mijn |)(?:moeder|vader|oma|opa|"
        r"zus|tante|oom) (?:heeft|had)) (?:\w+ ){0,2}blauwe plekken"
        r"(?! (?:\w+ ){0,4}(?:gevallen|val|valpartij|gestoten|botsing|ongeluk))",
        r"tot ik (?:\w+ ){0,1}(?:flauwviel|flauw viel|geen lucht (?:meer |)kreeg|niet meer kon ademen)",
        r"(?:hit|beat|hits|beats|whipped) (?:me|her) (?:\w+ ){0,3}with (?:a|his|her) (?:belt|stick|cable)",
        r"(?:geslagen|slaat|sloeg|slaan) (?:\w+ ){0,3}met (?:een|de|zijn|haar) (?:riem|stok|kabel|snoer|"
        r"broekriem|pollepel|zweep)",
    ),
    # threats to follow and hurt: "hij zegt dat hij me vindt waar ik ook heen ga"
    _rx(
        r"(?:(?:vindt|vind|vinden) (?:me|mij|ons)|(?:me|mij|ons) (?:\w+ ){0,1}(?:vindt|vind|vinden)) (?:\w+ ){0,2}"
        r"waar (?:ik|we|wij) (?:ook |)(?:heen|naartoe) (?:ga|gaan|vlucht|vluchten)",
        r"(?:find|finds|kill|kills|hurt|hurts) (?:me|us) wherever (?:i|we) go",
        r"burn (?:the|my|our|this) (?:house|flat|place|home|apartment) (?:down |)(?:\w+ ){0,2}with (?:me|us) "
        r"(?:\w+ ){0,1}in (?:it|there)",
        r"(?:in brand|de fik in) (?:\w+ ){0,2}(?:steken|steekt|zetten) (?:\w+ ){0,3}met (?:mij|ons) erin",
    ),
    # thrown at, pushed down the stairs, locked up, threatened with death
    _THROWN_AT := _rx(
        r"(?:gooit|gooide|gooiden|gegooid) (?:\w+ ){0,3}naar (?:me|mij|mijn hoofd|m'n hoofd|haar|ons)",
        r"(?:me|mij|haar) (?:\w+ ){0,2}(?:van de trap|tegen de muur|op de grond|tegen de kast) (?:geduwd|gegooid|"
        r"geslingerd|gesmeten)",
        r"(?:duwt|duwde|smijt|smeet) (?:me|mij|haar) (?:\w+ ){0,2}(?:van de trap|tegen de muur|op de grond|tegen de kast)",
        # the verb before its subject after a first clause: "als ik om geld vraag, slaat hij me"
        _HITS_FIRST + r" (?:hij|zij|ze|die|(?:mijn|m'n) (?:man|vrouw|partner|vriend|vriendin|ex|vader|moeder|"
        r"stiefvader|stiefmoeder|broer)) (?:me|mij)\b" + _NOT_AS_AN_IDIOM,
        _HITS_FIRST + r" (?:hij|zij|ze|(?:mijn|m'n) (?:vader|stiefvader|man|vriend|partner|ex)) (?:mijn|m'n) "
        r"(?:moeder|mama|vrouw|vriendin|oma|zus)\b" + _NOT_AS_AN_IDIOM,
        r"(?:sluit|sloot|sluiten) (?:me|mij|ons|haar) (?:\w+ ){0,3}op\b(?! (?:de|het|een|tijd)\b)",
        r"(?:me|mij|ons|haar) (?:\w+ ){0,1}(?:vermoordt|vermoorden|neerschiet|neerschieten|doodmaakt|dood maakt|"
        r"doodsteekt|ombrengt|afmaakt)",
        r"(?:he|she|they|he'll|she'll|they'll) (?:[\w']+ ){0,3}(?:kill|shoot|stab) (?:me|us|her)\b(?! with)",
    ),
    # forced marriage and honour-related violence
    _rx(
        r"(?:gedwongen|dwingen|dwingt|dwong) (?:\w+ ){0,4}(?:te |)trouwen",
        r"uithuwelijk\w*",
        r"als ik niet (?:\w+ ){0,1}trouw met",
        r"eer ?(?:wraak|gerelateerd\w*)",
        r"(?:paspoort|id kaart|identiteitskaart) (?:\w+ ){0,2}(?:afgepakt|afgenomen|ingenomen|verstopt|"
        r"weggenomen)",
        r"forced (?:\w+ ){0,1}(?:marriage|to marry)",
        r"(?:took|taken|keeps|kept) my passport",
    ),
    _rx(
        r"durf (?:echt |)niet (?:meer |)(?:naar huis|thuis te komen)",
        r"bang (?:om |)(?:\w+ ){0,2}naar huis",
        r"(?:ben|is) bang voor " + _PERSON + r" (?:man|vrouw|partner|vriend|vriendin|ex)",
    ),
    _rx(
        r"(?:voel me|voel ik me|ben|is|het is) (?:\w+ ){0,2}onveilig (?:thuis|in huis)",
        r"thuis (?:\w+ ){0,2}onveilig",
    ),
    _rx(
        r"dreigt (?:me|mij|haar|ons) (?:te |)(?:vermoorden|doden|dood te maken|iets aan te doen)",
        r"(?:dreigt|dreigde|gedreigd|dreigen) (?:\w+ ){0,2}(?:me|mij|haar|ons) (?:\w+ ){0,1}(?:neer te steken|"
        r"neer te schieten|dood te steken|dood te maken|te vermoorden|in elkaar te slaan|iets aan te doen|te slaan)",
    ),
    _rx(
        r"(?:wordt|word|werd) (?:\w+ ){0,4}gevochten",
        r"vechtpartij",
        r"ruzie met klappen",
        r"(?:bedreigt|bedreigde|bedreigen) (?:me|mij|ons|haar|hem)",
    ),
    # English
    _rx(
        r"domestic (?:violence|abuse)",
        r"(?:unsafe|in danger) (?:at home|in (?:my|our) (?:home|house))",
        r"(?:my|our|her|his) (?:[\w']+ ){0,1}(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|ex|fiance|fiancee|son|brother) "
        r"(?:[\w']+ ){0,3}" + _EN_HARM + r" (?:me|us|her)\b",
        r"(?:he|she) (?:[\w']+ ){0,2}" + _EN_HARM + r" (?:me|us)",
        r"(?:being|get|gets|got|getting|am|was|i'm|im) (?:[\w']+ ){0,1}(?:abused|beaten|beaten up|hit|threatened|"
        r"strangled|choked|kicked) (?:by|at home)",
        r"(?:afraid|scared|frightened) (?:of|to go) (?:[\w']+ ){0,2}(?:home|husband|partner|boyfriend|wife|girlfriend|ex)",
        r"threaten\w* to (?:kill|stab|shoot|hurt|burn) (?:me|us|her)",
    ),
)
# "papa doet me elke avond pijn"; "papa doet me geen pijn" is disarmed by the negation inside.
_PARENT_HURTS_ME = _rx(_PARENT + r" (?:\w+ ){0,1}doet (?:me|mij|ons) (?:\w+ ){0,3}pijn")
CHILD_PATTERNS = (
    _rx(r"kindermishandeling", r"kinder ?misbruik"),
    # an adult outside the parents who touches a child ("de buurman raakt haar aan"): Veilig Thuis first
    _TOUCHES_A_CHILD := _rx(*_touched_by_an_adult(r"(?:haar|hem)")),
    # "beats the child" in Polish, Turkish, Arabic, Ukrainian and Russian (accents stripped by `normalise`)
    _rx(
        r"(?:bije|pobil|pobił|uderza|bil|bił) (?:\w+ ){0,1}(?:dziecko|dzieci|syna|synka|corke|corka|coreczke)",
        r"(?:cocugunu|cocuklari|cocuklarini|oglunu|kizini|cocugu) (?:\w+ ){0,1}dov(?:uyor|du|er|mek)",
        r"(?:cocuk|cocugu|cocuklar|cocuklari|oglu|kizi|bebek|bebegi)\w* (?:\w+ ){0,4}(?:dovuluyor|dovuldu|dayak yiyor|"
        r"dayak yedi)",
        r"يضرب (?:\w+ ){0,1}(?:اطفاله|ابنه|ابنته|طفله|اولاده|الاطفال|الطفل)",
        r"(?:б'є|бʼє|бьет|бьёт|избивает) (?:\w+ ){0,1}(?:дитину|сина|доньку|дітей|ребенка|сына|дочь|детей)",
    ),
    # harm done to a child, not by a child ("slaat een ander kind op school" is not matched)
    _rx(
        _HARM
        + r" (?:mijn|m'n|mn|de|het|ons|onze|haar|zijn|die|dat|hun) (?:\w+ )?"
        + _CHILD
        + r"(?! (?:\w+ ){0,3}door\b)"
    ),  # "slaat mijn zoon vaak door": loses his temper
    _rx(
        r"brand ?(?:plek|plekken|plekjes|wonden|wondjes) (?:\w+ ){0,3}(?:van |)(?:sigaret|sigaretten|peuk|peuken)",
        r"(?:schudt|schudde|geschud|schudden|schud) (?:\w+ ){0,3}(?:baby|kindje|zoontje|dochtertje|kind|kleine) "
        r"(?:\w+ ){0,3}(?:door elkaar|heen en weer)",
        r"(?:baby|kindje|zoontje|dochtertje) (?:\w+ ){0,3}door elkaar (?:geschud|schudden|schudt)",
    ),
    _CHILD_IS_HURT := _rx(
        _CHILD + r" (?:\w+ ){0,3}(?:wordt|worden|werd|werden|is|zijn) (?:\w+ ){0,3}(?:geslagen|mishandeld|"
        r"misbruikt|verwaarloosd|opgesloten|geschopt|bedreigd|in elkaar geslagen)",
        # subordinate clause order: "dat het kind geslagen wordt"
        _CHILD + r" (?:\w+ ){0,3}(?:geslagen|mishandeld|misbruikt|verwaarloosd|opgesloten|geschopt) "
        r"(?:wordt|worden|werd|werden)",
    ),
    _rx(
        _CHILD
        + r" (?:\w+ ){0,3}(?:heeft|hebben|had|zit|zitten) (?:\w+ ){0,3}(?:vol |onder de |)(?:blauwe plekken|"
        r"een blauw oog|brandwonden|striemen)",
        r"(?:heeft|had|hebben) (?:\w+ ){0,1}(?:mijn|m'n|ons|onze|haar|zijn|het|de) "
        + _CHILD
        + r" (?:\w+ ){0,3}(?:een blauw oog|blauwe plekken|brandwonden|striemen)",
        r"(?:hele dag|urenlang|dagenlang|dagen) (?:\w+ ){0,4}(?:vieze|volle|vuile) luier",
        r"(?:leaves|left|leave|leaving) (?:me|us|him|her|them|the kids|the children|my (?:little |baby |)(?:brother|"
        r"sister|brothers|sisters)) (?:\w+ ){0,6}alone (?:\w+ ){0,3}(?:for|all) (?:\w+ ){0,2}(?:weekend|weekends|"
        r"days|night|nights|week)",
        r"(?:boy|girl|child|kid|son|daughter|baby|toddler) (?:\(?\d+\)? |)(?:\w+ ){0,8}(?:has|had|with) (?:\w+ ){0,2}"
        r"(?:bruises|burns|welts)",
        r"(?:bruises|marks) (?:\w+ ){0,6}(?:look like|shaped like|like) (?:fingers|a hand|a belt|cigarettes)",
    ),
    _rx(
        r"hardhandig (?:\w+ ){0,2}(?:met|tegen|voor) (?:\w+ ){0,1}" + _CHILD,
        r"bang dat ik (?:\w+ ){0,2}(?:mijn|m'n|ons|onze|de|het) (?:\w+ ){0,1}"
        + _CHILD
        + r" (?:\w+ ){0,3}(?:iets aandoe|iets aan doe|pijn doe|sla|iets doe|door elkaar schud)",
        r"(?:vergeet|vergat|vergeten) (?:\w+ ){0,3}(?:"
        + _CHILD_WORDS
        + r"|kleine|kleintje|kleintjes) (?:\w+ ){0,2}"
        r"(?:eten|te eten|de fles|luiers)",
    ),
    _rx(
        r"(?:hem|haar) (?:\w+ ){0,5}(?:in de kelder|in de kast|in het donker|op zolder|in de schuur|in de berging) "
        r"(?:\w+ ){0,2}(?:opgesloten|opsluit|opsluiten)"
    ),
    _CHILD_HURT_PERFECT := _rx(
        r"(?:heeft|hebben|heb|had) (?:\w+ ){0,1}(?:mijn|m'n|mn|ons|onze|haar|zijn|z'n|het|de|hun) (?:\w+ ){0,1}"
        + _CHILD
        + r" (?:\w+ ){0,7}(?:geslagen|geschopt|mishandeld|getrapt|gestompt|door elkaar geschud|verwond|"
        r"gebrand|opgesloten|gewurgd)"
    ),
    _rx(
        _CHILD + r" (?:\w+ ){0,4}(?:krijgt|krijgen|kreeg) (?:geen|nooit) (?:eten|te eten)",
        _CHILD + r" (?:\w+ ){0,4}(?:alleen thuis gelaten|alleen gelaten|op straat gezet)",
    ),
    _rx(_CHILD + r" (?:\w+ ){0,3}(?:is|zijn|voelt zich|voelen zich) (?:\w+ ){0,2}onveilig"),
    # a child writing about a parent
    _rx(
        r"(?:wordt|worden|werd|werden) (?:\w+ ){0,2}" + _CHILD + r" (?:\w+ ){0,4}(?:geslagen|mishandeld|"
        r"misbruikt|verwaarloosd|opgesloten|geschopt)"
    ),
    _rx(
        r"(?:" + _PERSON + r" |)" + _PARENT + r" (?:\w+ ){0,2}" + _HARM + r" (?:me|mij|ons)",
        _PERSON + r" " + _PARENT + r" (?:\w+ ){0,2}doet (?:me|mij|ons) pijn",
        # the perfect tense: "mijn vader heeft mij geslagen"
        r"(?:"
        + _PERSON
        + r" |)"
        + _PARENT
        + r" (?:heeft|had|hebben) (?:me|mij|ons) (?:\w+ ){0,3}(?:geslagen|"
        r"geschopt|getrapt|gewurgd|mishandeld|in elkaar geslagen)",
        # the verb before its subject: "gisteren schopte mijn vader mijn broertje"
        _HITS_FIRST + r" (?:(?:mijn|m'n) |)"
        r"(?:vader|moeder|stiefvader|stiefmoeder|papa|mama|man|vriend|partner|ex) (?:mijn|m'n|ons|onze) "
        r"(?:zusje|broertje|kind|kinderen|kindje|zoon|zoontje|dochter|dochtertje|baby)\b",
    ),
    _PARENT_HURTS_ME,
    _rx(
        r"(?:zijn|zn|z'n|haar|hun) " + _PARENT + r" (?:\w+ ){0,2}" + _HARM + r" (?:hem|haar|hen)\b",
        r"(?:zijn|zn|z'n|haar|hun) " + _PARENT + r" (?:\w+ ){0,1}(?:hem|haar|hen) (?:\w+ ){0,2}" + _HARM,
        r"(?:his|her|their) (?:dad|father|mom|mum|mother|stepdad|stepfather|stepmom|stepmother|parents) (?:[\w']+ ){0,2}"
        + _EN_HARM
        + r" (?:him|her|them)\b",
    ),
    # English
    _rx(
        r"child (?:abuse|neglect)",
        r"(?:my |our |)(?:dad|father|mom|mum|mother|stepdad|stepfather|stepmom|stepmother|parents) (?:[\w']+ ){0,2}"
        + _EN_HARM
        + r" (?:me|us)",
        r"(?:children|child|kids|kid|baby|boy|girl) (?:[\w']+ ){0,3}(?:are|is|get|gets|being) (?:[\w']+ ){0,1}"
        r"(?:beaten|abused|neglected|molested)",
    ),
)
_IMAGES = (
    r"(?:naakt ?(?:foto|fotos|foto's|fotootjes|beelden|filmpje|filmpjes|video|videos|plaatjes)|nudes|nude pics|"
    r"intieme (?:foto|fotos|foto's|beelden|filmpjes|video's|videos)|seks ?(?:filmpje|filmpjes|video|videos)|"
    r"sex ?(?:filmpje|filmpjes|video|videos)|(?:filmpjes|filmpje|video's|videos|foto's|fotos) van ons (?:samen|tweeen|in bed))"
)
_SPREAD = (
    r"(?:rondgestuurd|rond gestuurd|rondgaan|gaan rond|verspreid|verspreiden|verspreidt|gedeeld|delen|deelt|"
    r"doorgestuurd|online gezet|op internet|online|te sturen|te delen|dreigt|dreigde|chanteert|chanteren|"
    r"gechanteerd|afgeperst|afpersen|geld voor|stuurt|sturen|betaal|betalen)"
)
SEXUAL_PATTERNS = (
    # "rape" in languages many residents write besides Dutch and English (accents stripped by `normalise`):
    # Arabic, Turkish, Polish, Russian, Ukrainian, Spanish, Portuguese. The semantic check alone read an
    # Arabic message about rape as violence at home (Veilig Thuis first, not the Centrum Seksueel Geweld).
    _rx(
        r"\w*اغتصا\w*|\w*اغتصب\w*",
        r"tecavuz\w*",
        r"zgwalc\w*|zgwałc\w*",
        r"изнасил\w*|зґвалт\w*|згвалт\w*",
        r"me (?:violaron|violo)|fui violada|estuprad\w*|estupro",
    ),
    _rx(
        r"verkracht\w*",
        r"aangerand",
        r"aanranding",
        r"seksueel (?:misbruik|geweld|misbruikt)",
        r"(?:dwong|dwingt|gedwongen) (?:me |mij |haar |)(?:tot |)seks",
        r"tegen mijn wil seks",
        # a partner who goes on after "nee" ("hij gaat gewoon door, ook als ik nee zeg en huil")
        r"(?:vriend|man|partner|ex|echtgenoot) (?:gaat|ging) (?:gewoon |toch |altijd |)door "
        r"(?:ook |zelfs |)(?:als|terwijl|wanneer) ik (?:nee|stop) (?:zeg|zei|roep|riep)",
        r"betast",
        r"(?:aanraakt|aanraken|aangeraakt|zit aan|zat aan|betast) (?:\w+ ){0,3}(?:onder|in) (?:haar|zijn|mijn|m'n) "
        r"(?:onderbroek|broek|rok|kleren|kleding|slip)",
        r"als ik niet met (?:hem|haar) (?:naar bed ga|naar bed wil|seks heb|wil slapen)",
        r"(?:heeft|had|hebben) (?:\w+ ){0,2}aan (?:me|mij|haar|mijn dochter|mijn zoon) gezeten",
        r"(?:zit|zat|zitten|zaten) (?:\w+ ){0,1}aan (?:me|mij)$",
        r"(?:zit|zat|zitten|zaten) (?:\w+ ){0,1}aan (?:me|mij) (?!te\b)(?:als|terwijl|wanneer|s nachts|'s nachts|"
        r"onder|in)\b",
        r"ongewenst (?:\w+ ){0,1}(?:aangeraakt|betast)",
        r"(?:pakt|pakte|grijpt|greep|knijpt|kneep|zit aan|zat aan|betast|betastte|raakt|raakte) (?:\w+ ){0,1}"
        r"(?:mijn|m'n|haar|aan mijn|aan haar|in mijn|in haar) (?:borst|borsten|billen|kont|kruis|intieme delen)",
        r"wakker (?:\w+ ){0,3}(?:hij|zij|ze|iemand) (?:lag|zat) (?:\w+ ){0,1}(?:op|bovenop|over) (?:me|mij)",
        r"woke up (?:\w+ ){0,4}(?:he|someone|a man) (?:was |)(?:on top of|inside|touching|undressing) me",
        r"(?:ko|k o) ?druppels",
        r"(?:iets|wat) in (?:mijn|m'n) (?:drankje|drinken|glas) (?:\w+ ){0,2}(?:gedaan|gegooid|gestopt)",
        r"(?:drugged|spiked) (?:my drink|me)",
        r"ongewenste (?:aanraking|aanrakingen|seks)",
        r"(?:wilde|wou|wil) (?:\w+ ){0,1}seks (?:\w+ ){0,2}(?:en ik niet|maar ik niet|en ik wilde niet)",
        r"(?:wil|eist|dwingt) (?:\w+ ){0,3}dat ik (?:\w+ ){0,2}met (?:hem|haar) naar bed",
    ),
    # an adult who touches the resident ("mijn oom raakt me aan"); a child touched is a child in danger
    _TOUCHES_ME := _rx(*_touched_by_an_adult(r"(?:me|mij)")),
    _rx(
        r"zorla (?:\w+ ){0,1}(?:iliski\w*|seks\w*)",
        r"iliskiye zorl\w*",
        r"tecavuz\w*",
        r"zgwa[lł]ci\w*",
        r"zmusza (?:\w+ ){0,1}do seksu",
        r"اغتصب\w*",
        r"(?:ona|bana|kizima|kızıma) (?:\w+ ){0,2}dokun(?:uyor|du|dugunu|dugu|mus|muş)\w*",
        r"dotyka (?:ja|jej|mnie|mojej corki|moja corke)",
        r"يتحرش (?:بها|بي|بابنتي|بابني)",
    ),
    _ABUSED_ME := _rx(r"(?:ik (?:ben|werd)|(?:ben|werd) ik) (?:\w+ ){0,6}(?:misbruikt|aangerand)"),
    # image abuse: intimate pictures spread, or a threat to spread them (sextortion)
    _rx(
        _IMAGES + r" (?:\w+ ){0,10}" + _SPREAD,
        _SPREAD + r" (?:\w+ ){0,6}" + _IMAGES,
        r"sextortion",
        r"(?:pics|photos|pictures|nudes|videos|vids) of me (?:[\w']+ ){0,10}(?:unless|or else|if i (?:don't|dont|do not))",
        r"(?:foto's|fotos|filmpjes|beelden) van (?:mij|me) (?:\w+ ){0,10}als ik (?:niet|geen)",
        r"(?:seks|sex|seksuele) ?(?:chantage|afpersing)",
        r"(?:nudes|nude (?:photos|pictures|pics)|intimate (?:photos|images|pictures|videos)) (?:[\w']+ ){0,6}"
        r"(?:shared|spread|sent around|posted|leaked|online)",
        r"threaten\w* to (?:share|post|send|leak|spread) (?:[\w']+ ){0,3}(?:nudes|photos|pictures|pics|videos)",
    ),
    _rx(
        r"raped",
        r"rape",
        r"sexual(?:ly|) (?:abused|assaulted|abuse|assault)",
        r"molested",
        r"forced (?:me|her) (?:\w+ ){0,2}sex",
        r"touched me against my will",
        r"(?:touched|touches|touching|grabbed|groped|gropes) (?:me|her)\b(?! (?:on the shoulder|deeply|emotionally))",
    ),
)
# Signs that the danger is happening now: 112 first.
ACUTE_PATTERNS = (
    _rx(
        r"(?:pillen|pil|medicijnen|tabletten|slaappillen|gif|bleek) (?:\w+ ){0,7}(?:genomen|geslikt|"
        r"ingenomen|gedronken|opgedronken)",
        r"(?:won't|wont|will not|doesn't|doesnt|does not|can't|cant) stop (?:the |)bleeding",
        r"blijft (?:maar |)(?:hard |)bloeden",
        r"bloeden (?:\w+ ){0,2}(?:stopt niet|houdt niet op|gaat niet over)",
        r"(?:wacht|wachten|wachtte) (?:\w+ ){0,1}op (?:de|een) (?:\w+ ){0,1}(?:trein|intercity|sneltrein|goederentrein) "
        r"die (?:hier |)niet stopt",
    ),
    _rx(
        r"(?:heeft|heb|hebben|staat|staan|loopt) (?:\w+ ){0,3}(?:een |)mes",
        r"met een mes",
        r"(?<!geld )(?:bloedt|bloeden)(?! (?:\w+ ){0,1}(?:weg|leeg)\b)|bewusteloos|reageert niet meer|ademt niet",
        # someone who does not wake up when called or shaken ("mama wordt niet wakker als ik roep")
        r"(?:wordt|werd) (?:\w+ ){0,2}niet (?:meer |)wakker (?:als|wanneer|hoe hard|ook als|ook al) (?:ik|we|wij) "
        r"(?:\w+ ){0,2}(?:roep|roepen|schud|schudden|aanraak|por|porren)\b",
        r"(?:krijg|krijgen|kreeg|kregen) (?:mijn |m'n |)(?:mama|moeder|papa|vader|oma|opa|hem|haar|man|vrouw|partner|"
        r"vriend|vriendin) niet (?:meer |)wakker(?! (?:\w+ ){0,3}(?:voor|om|op tijd|in de ochtend|'s ochtends|uit bed)\b)",
        r"(?:won't|wont|will not|doesn't|doesnt|does not) wake up when (?:i|we) ",
        r"(?:can't|cant|cannot|couldn't) wake (?:her|him|my mum|my mom|my dad|my mother|my father) up\b(?! (?:\w+ ){0,2}for)",
        r"met een (?:wapen|pistool|geweer|vuurwapen|bijl|hamer|knuppel|honkbalknuppel|koevoet|breekijzer|machete|"
        r"boksbeugel)",
        r"with a (?:baseball bat|bat|crowbar|machete|gun|knife)",
        r"binnengedrongen",
        r"inbreker (?:\w+ ){0,2}in huis",
        # a threat to blow up the building ("hij roept dat hij het hele blok opblaast")
        r"(?:dreigt|dreigde|roept|riep|zegt|zei|schreeuwt|schreeuwde|gaat|ga|wil|zal|zou|gaan)"
        r"(?! (?:\w+ ){0,5}(?:ballon|ballonnen|luchtbed|zwembad|band|banden)\b) (?:\w+ ){0,5}"
        r"(?:flat|blok|gebouw|huis|portiek|woning|boel|straat|flatgebouw|complex|trappenhuis|galerij) (?:helemaal |)"
        r"(?:opblazen|opblaast|op te blazen|laten ontploffen|laat ontploffen|in de lucht (?:laten |)(?:vliegen|laat vliegen)|"
        r"in de fik (?:steekt|steken|te steken|zet|zetten)|in brand (?:steekt|steken|te steken))",
        r"benzine (?:\w+ ){0,4}(?:gegooid|gegoten|uitgegoten|gesprenkeld|over (?:de|het|zich|zichzelf|hem|haar|mij|me))",
        r"(?:threaten\w*|says?|said|shout\w*|yell\w*|scream\w*|going to|gonna|will|wants to) (?:\w+ ){0,5}blow "
        r"(?:up (?:the|this|our|his|her|my|a|whole|entire) (?:\w+ ){0,1}(?:building|block|flat|house|place|street)|"
        r"(?:the|this|our|his|her|my|a|whole|entire) (?:\w+ ){0,1}(?:building|block|flat|house|place|street) up)",
    ),
    _rx(
        r"\brook (?:\w+ ){0,3}(?:onder de deur|uit het raam|uit de woning|in de gang|in huis|komt)",
        r"(?:staat|staan) (?:\w+ ){0,2}in (?:brand|de fik)",
        r"er is (?:\w+ ){0,1}brand\b",
        r"het brandt",
        r"(?:house|flat|building|kitchen|apartment) (?:is |)on fire",
        r"smoke (?:is |)(?:coming|everywhere)",
    ),
    _rx(
        r"sta (?:nu |)(?:op|bij) (?:de|het|een) (?:brug|spoor|dak|rand)",
        r"slang (?:\w+ ){0,3}(?:van de |vanaf de |)uitlaat",
        r"overdosis (?:\w+ ){0,2}(?:genomen|geslikt|ingenomen|gespoten)",
        r"(?:heb|heeft|hebben) (?:\w+ ){0,2}(?:een |)overdosis",
        r"gas ?kraan (?:\w+ ){0,2}(?:open ?gezet|open ?gedraaid|open ?gedaan|opengezet|opengedraaid)",
        r"(?:going to|gonna|about to) jump",
        r"uitlaat ?(?:gassen|gas) (?:\w+ ){0,4}(?:binnen|naar binnen|in de auto|inademen)",
        r"(?:hose|pipe) (?:\w+ ){0,3}(?:from |to |)the exhaust",
        r"(?:aan de |)buitenkant van (?:het|de) (?:hek|reling|balustrade|balkon|brug|leuning)",
        r"(?:over|op) (?:het|de) (?:hek|reling|balustrade|leuning) (?:\w+ ){0,3}(?:geklommen|gaan staan|zitten|zit)",
        r"(?:outside|over) the (?:railing|fence|balcony)",
        r"ik (?:ga|doe) het (?:nu|vannacht|vanavond)",
        r"(?:nu|vannacht|vanavond) doe ik het",
    ),
    # English
    _rx(
        r"(?:took|taken|swallowed) (?:\w+ ){0,2}(?:pills|tablets|meds|medication)",
        r"overdosed",
        r"took an overdose",
        r"(?:has|with|holding) (?:a |)(?:knife|gun|weapon)",
        r"(?:is bleeding|unconscious|not breathing)",
        r"(?:is|are) (?:hitting|beating|attacking|stabbing|strangling|choking) (?:me|us|her|him)",
        # a threat to break bones: "ze komen vanavond langs en breken mijn vingers als ik niet betaal"
        r"(?:breken|breekt|breek) (?:\w+ ){0,2}(?:mijn|m'n|je|zijn|haar) (?:vingers|benen|been|armen|arm|knieen|nek|"
        r"botten)",
        r"(?:mijn|m'n|je|zijn|haar) (?:vingers|benen|been|armen|arm|knieen|nek|botten) (?:\w+ ){0,1}(?:breken|breekt)",
        # "er staan jongens bij mijn huis die zeggen dat ze me gaan steken"
        r"(?:zeggen|zegt|zei|zeiden|dreigen|dreigt|roepen|roept) (?:dat |)(?:ze|hij|zij) (?:me|mij|ons) (?:\w+ ){0,2}"
        r"(?:gaan|gaat|komen|komt|zullen|zal) (?:\w+ ){0,1}(?:steken|neersteken|doodsteken|neerschieten|doodschieten)",
        r"breaking (?:in|into)",
    ),
    # "with a knife", "does not breathe", "I cannot wake him" in Arabic, Polish, Turkish, Ukrainian and Russian
    # (accents stripped by `normalise`)
    _rx(
        r"بسكين",
        r"nozem",
        r"b[ıi]cakla",
        r"ножем",
        r"ножом",
        r"لا (?:يتنفس|تتنفس|يستيقظ|تستيقظ)",
        r"nie (?:oddycha|moge (?:go|jej) obudzic|da sie (?:go|jej) obudzic)",
        r"nefes alm[ıi]yor",
        r"uyand[ıi]ram[ıi]yorum",
        r"uyanm[ıi]yor",
        r"كسر (?:\w+ ){0,1}باب",
        r"wywazyc drzwi",
        r"kap[ıi]y[ıi] k[ıi]rma\w*",
        r"не (?:дихає|дышит)",
        r"не (?:можу|могу) (?:його|її|его|ее) розбудити",
        r"не (?:можу|могу) (?:його|її|его|ее) разбудить",
    ),
)
# Words that turn a suicide signal into acute danger: it is about to happen.
_IMMINENT = _rx(
    r"this is it",
    r"ik ga zo",
    r"spring (?:ik |)zo\b",
    r"zo meteen",
    r"nu meteen",
    r"vannacht",
    r"vanavond",
    r"tonight",
    r"right now",
)
# Words that turn an ordinary crisis signal into an acute one when both appear.
# A word between that does not turn it around: "het gaat nu gelukkig goed", not "het gaat nu niet goed".
_UNNEGATED_WORD = r"(?:(?!(?:niet|geen|niks|nooit|nergens|minder|not|never|no|less)\b)\w+ )"
_GOES_WELL = rf"gaat (?:het|alles) {_UNNEGATED_WORD}{{0,3}}(?:goed|beter|prima)"
# A past the resident says is over ("dat is nu voorbij"): long enough ago, and going well now.
_IT_IS_OVER = (
    r"(?:dat|het|die tijd) is (?:nu |inmiddels |allemaal |gelukkig |)(?:voorbij|achter de rug|afgelopen)",
    # thoughts or feelings that are gone: "die gedachten zijn al lang weg"
    r"(?:die|dat|die gedachten|dat gevoel|die gevoelens) (?:is|zijn) (?:nu |inmiddels |gelukkig |al lang |allang |"
    r"al jaren |)(?:weg|verdwenen|over)\b",
    r"(?:that|it) is (?:all |)(?:over|behind me) now",
)
_NOW = _rx(
    # not "nu wil ik vragen", "tot nu toe": there "nu" introduces the question, not the danger
    # nor "nu ben ik 19", "dat is nu voorbij": a time of life, not something going on
    # nor "nu gaat het goed", "nu woon ik op mezelf": the good present after a past that is told
    r"(?<!\btot )nu(?! (?:wil|wilde|vraag|vroeg|zoek|moet ik|heb ik|weet ik|toe|is mijn vraag|voorbij|"
    + _GOES_WELL
    + r"|woon ik|wonen we|ben ik veilig|zijn we veilig|"
    r"ben ik (?:\d+|volwassen|ouder|\w+ jaar)|is (?:hij|ze|zij) (?:\d+|volwassen|ouder))\b)",
    r"nou",
    r"op dit moment",
    r"op dit ogenblik",
    r"net",
    r"zojuist",
    r"zo net",
    r"nu meteen",
    r"hier voor de deur",
    r"voor de deur",
    r"is bezig",
    r"nog steeds aan het",
    r"right now",
    r"at the moment",
    r"just now",
)

# --- Possible signals: a gentle check-in (113 first), then the resident's question is answered. -------
# A wish that everything stops; with exhaustion in the same message it is a crisis (see `assess`).
_STOP_WISH = _rx(
    r"(?:wil|wou|wilde) (?:gewoon |alleen (?:nog |)|echt |zo graag |)dat (?:alles|het|het allemaal|alles gewoon|"
    r"het gewoon) (?:\w+ ){0,1}(?:stopt|ophoudt|op houdt|voorbij is|over is)",
    r"alles (?:mag|moet) (?:\w+ ){0,1}(?:stoppen|ophouden)",
    r"want (?:it|everything|it all) to (?:stop|end|be over)",
)
_EXHAUSTION = _rx(
    r"(?:ik kan|kan ik) (?:(?:het|echt|gewoon) )*niet meer(?= aan\b| verder\b|$)",
    r"(?:ik ben|ben ik) (?:\w+ ){0,2}(?:op|kapot|leeg|uitgeput|opgebrand|moe van (?:alles|vechten|het leven))$",
    r"hou (?:het |)(?:\w+ ){0,1}niet meer vol",
    r"(?:zo|heel|echt|doods|super) moe",
    r"(?:can't|cant|cannot) (?:go on|do this|take it) ?(?:anymore|any more|)",
    r"so tired",
)
# "ik ga dood van de stress": mostly an idiom, so a check-in; "dood van het lachen" is no signal at all.
_DIE_OF_WORRY = _rx(
    r"(?:ga|gaat|ging|gaan) (?:\w+ ){0,2}dood (?:van|aan) (?:de |het |die |al die |alle |mijn |m'n |)(?:\w+ ){0,2}"
    r"(?:stress|zorgen|spanning|ellende|schulden|rekeningen|brieven|problemen|verdriet|eenzaamheid|angst)"
)
_HINTS = _rx(
    r"touw (?:\w+ ){0,2}gekocht",
    r"als ik er (?:\w+ ){0,1}niet meer ben",
    r"na mijn dood",
    r"als ik dood ben",
    r"geen uitweg",
    r"(?:zie|zien|ziet) (?:ik |je |hij |zij |ze |)(?:het |er |)(?:\w+ ){0,2}(?:nut|zin) (?:\w+ ){0,2}niet meer "
    r"(?:van|in|om) (?:het |)(?:doorgaan|door te gaan|verder te gaan|verdergaan)(?! met)\b",
    r"(?:geen|nul) (?:zin|nut) meer (?:in|om) (?:het |)(?:doorgaan|door te gaan|verder te gaan)(?! met)\b",
    r"(?:nergens|niks|nergens meer) (?:meer |)zin in",
    r"(?:don't|dont|do not) see the point",
    r"(?:vond|gevonden) (?:\w+ ){0,3}(?:touw|strop)",
    r"(?:touw|strop) (?:\w+ ){0,3}(?:in de schuur|op zolder|gevonden)",
    r"(?:brief|brieven|briefje|letters|letter) (?:\w+ ){0,3}(?:voor|aan|to) (?:de|mijn|m'n|zijn|haar|my|his|her) "
    r"(?:kinderen|kids|ouders|familie|children|parents)(?: \w+){0,2} (?:geschreven|written)",
    r"(?:geschreven|written) (?:\w+ ){0,2}(?:brief|brieven|briefje|letters|letter) (?:voor|aan|to) (?:de|mijn|m'n|zijn|"
    r"haar|my|his|her) (?:kinderen|kids|ouders|familie|children|parents)",
    r"sorry voor alles$",
    r"(?:hoeven|hoeft) (?:\w+ ){0,2}niet meer te (?:bellen|komen|zoeken)",
    r"zodat niemand (?:er |)(?:last|moeite) (?:van |)(?:heeft|krijgt)",
    r"(?:mijn|m'n) eigen (?:uitvaart|begrafenis|crematie)",
    r"(?:heb|heeft) (?:het|een) plan (?:al |)(?:gemaakt|klaar)",
    r"gave away (?:\w+ ){0,2}(?:things|stuff|belongings|tools|possessions|jewel\w*)",
    r"wat ik hier (?:eigenlijk |)nog doe",
    r"wat doe ik hier (?:eigenlijk |)nog",
    # signs in someone else: "beter af zonder hem", affairs suddenly put in order, fear that they act
    r"beter af (?:zijn |)zonder (?:hem|haar|ons)",
    r"better off without (?:him|her|us)",
    r"(?:ineens|opeens|plotseling) (?:\w+ ){0,4}(?:zijn|haar|z'n) (?:papieren|zaken|administratie|spullen) "
    r"(?:\w+ ){0,3}(?:op orde|geregeld|opgeruimd|weggegeven)",
    r"(?:zijn|haar|z'n) (?:papieren|zaken|administratie|spullen) (?:\w+ ){0,3}(?:ineens|opeens|plotseling) "
    r"(?:\w+ ){0,3}(?:op orde|geregeld|opgeruimd|weggegeven)",
    r"bang dat (?:hij|zij|ze) (?:zichzelf |)iets (?:gaat |zal |)(?:doen|aandoet|aan doet|aandoen)",
    r"(?:maar|nog) (?:een|1) uitweg",
    r"(?:spullen|bezittingen) (?:\w+ ){0,2}weggegeven",
    r"(?:can't|cant|cannot) go on",
    r"no way out",
    r"(?:not planning|don't plan|dont plan|do not plan|won't|wont|will not) (?:\w+ ){0,2}(?:to still be|to be|be) (?:still |)"
    r"(?:here|around|alive) (?:by|in|for|after|next|at)",
    r"hoef ik (?:over |)(?:nergens|niks|niets) meer (?:over |)(?:na te denken|te regelen|te doen)",
    r"(?:ben|zal) ik er (?:\w+ ){1,3}(?:toch |)niet meer(?: zijn| bij|)$",
    r"ik ben er (?:dan|straks|morgen|volgend jaar|volgende week|tegen die tijd) (?:\w+ ){0,1}niet meer$",
    r"(?:voorgoed|voor altijd) (?:\w+ ){0,1}verdwijnen",
    r"verdwijnen (?:\w+ ){0,1}(?:voorgoed|voor altijd)",
    r"(?:ben|voel me|voel ik me) (?:\w+ ){0,2}een last (?:voor|van) (?:iedereen|mijn familie|mijn kinderen|jullie|"
    r"mijn ouders|de mensen)",
    r"zonder mij (?:is|zijn|gaat|wordt) (?:\w+ ){0,3}beter",
    r"(?:wil|wilde) (?:\w+ ){0,1}er (?:\w+ ){0,1}(?:een |)punt achter zetten(?! met)",
    r"thank(?:s| you) for everything (?:\w+ ){0,2}take care of",
    r"bedankt voor alles (?:\w+ ){0,2}(?:zorg|pas) (?:goed |)(?:voor|op)",
    r"take care of (?:mum|mom|mam|my mum|my mom|the kids|my kids|the children|my cat|my dog)",
)
# Affairs put in order "for after": no signal alone ("mijn moeder weet waar de papieren liggen"), but
# together with another one or with a warning sign they make a crisis (see `assess`).
_ARRANGEMENTS = _rx(
    r"niet (?:meer |)van plan (?:om |)(?:hier |)(?:nog |)(?:lang|veel langer|langer) (?:hier |)te blijven",
    r"(?:weet|weten) (?:\w+ ){0,1}waar (?:de|mijn|m'n|alle) (?:papieren|wachtwoorden|verzekeringspapieren|"
    r"testament|codes) (?:\w+ ){0,1}(?:liggen|zijn|ligt)",
    r"alles (?:\w+ ){0,1}geregeld voor (?:mijn|m'n|de) (?:kat|hond|katten|honden|huisdieren|vogel|konijn)",
    r"(?:spullen|bezittingen|auto|sieraden|horloge|huis) (?:\w+ ){0,3}(?:mag|mogen|krijgt|krijgen) (?:\w+ ){0,2}"
    r"als (?:het zover is|ik er niet meer ben|ik weg ben)",
    r"(?:bedacht|besloten|gepland|gekozen) (?:\w+ ){0,3}dat ik het (?:na|voor|op|met|rond) (?:\w+ ){0,2}doe",
    r"(?:won't|will not|wont) (?:be needing|need) (?:\w+ ){0,2}(?:flat|house|room|things|stuff|car|apartment)",
    r"(?:heeft|heb) (?:\w+ ){0,1}(?:zijn|haar|mijn|m'n|z'n) (?:flat|huis|kamer|woning|spullen|auto) (?:\w+ ){0,3}"
    r"niet meer nodig",
    r"(?:cat|dog|kat|hond|poes) (?:[\w']+ ){0,2}'?(?:for good|voorgoed)",
    r"(?:heb|hebben) (?:\w+ ){0,1}(?:een|de) datum (?:\w+ ){0,1}(?:gekozen|geprikt|bepaald|vastgesteld)",
    r"(?:maakt|maken) (?:het |)(?:allemaal |)(?:eigenlijk |)niet meer uit",
    r"(?:ik heb|heb ik) (?:\w+ ){0,1}alles (?:al |)geregeld$",
    r"(?:sleutel|sleutels|huissleutel|reservesleutel) (?:\w+ ){0,3}(?:ligt|liggen|gegeven|afgegeven|gebracht) "
    r"(?:\w+ ){0,1}(?:bij|aan) (?:de buren|de buurvrouw|de buurman|mijn zus|mijn broer|mijn moeder|mijn vader)",
    r"(?:sleutel|sleutels|huissleutel|reservesleutel) (?:\w+ ){0,3}(?:bij|aan) (?:de buren|de buurvrouw|de buurman|"
    r"mijn zus|mijn broer|mijn moeder|mijn vader) (?:\w+ ){0,1}(?:gegeven|afgegeven|gebracht|gelegd)",
)
# The end of a conditional threat: "(als ik eruit gezet word) dan ben ik er niet meer". After bad news in the
# same sentence the strong endings are a crisis; otherwise, and for the weak endings, a possible signal.
_GONE_STRONG = _rx(
    r"(?:ben|zijn) (?:ik|we|wij) er (?:\w+ ){0,1}niet meer",
    r"(?:is|wordt) het (?:voor mij|met mij|voor ons (?:allebei|beiden|tweeen|twee|alle twee)) "
    r"(?:klaar|afgelopen|over|gedaan)(?! met)",
    r"spring ik",
    r"(?:i will|i'll|ill) (?:just |simply |)end it",
    r"hoeft (?:het|t) (?:voor mij |van mij |)(?:allemaal |)niet meer",
)
_GONE_WEAK = _rx(
    r"(?:stop|kap|hou|houd) ik ermee(?: op|)",
    r"overleef ik (?:dat|het) niet",
    r"(?:zien|ziet) (?:ze|jullie|jij|je|u|niemand) (?:mij|me) (?:nooit|niet) meer",
    r"doe ik iets (?:stoms|doms|geks|raars|ergs)",
    r"ga ik eraan (?:onderdoor|kapot)",
)
# Letters written "just in case", with nothing after it: an arrangement for after one's death. Checked per
# sentence ("ik heb brieven geschreven, voor het geval dat").
_LETTERS_JUST_IN_CASE = re.compile(
    r"\b(?:brief|brieven|briefje|briefjes|bericht|berichten|afscheid)\b.*\bvoor het geval (?:dat|er iets gebeurt)\W*$"
)
_CONDITION = _rx(r"als", r"wanneer", r"zodra", r"mocht", r"indien", r"dan", r"if", r"when")
_BAD_NEWS = _rx(
    r"eruit (?:gezet|zetten|zet|gegooid|moet|moeten)",
    r"uit (?:mijn |ons |het |m'n |)huis (?:\w+ ){0,1}"
    r"(?:gezet|zetten|zet|moet|moeten|gegooid)",
    r"uitgezet",
    r"ontruim\w*",
    r"huisuitzetting",
    r"op straat",
    r"beslag",
    r"deurwaarder",
    r"afgesloten",
    r"afsluit\w*",
    r"uithuisplaatsing",
    r"uit huis geplaatst",
    r"(?:kinderen|kind|kids|zoon|dochter) (?:\w+ ){0,3}(?:kwijt|afgepakt|weggehaald|afnemen|kwijtraak|kwijtraken)",
    r"ontslagen",
    r"ontslag",
    r"failliet",
    r"(?:huur|huurcontract|contract|uitkering|toeslag) (?:\w+ ){0,2}"
    r"(?:opgezegd|gestopt|stopgezet|ingetrokken|stopt)",
    r"leeghaalt|leeghalen",
    r"dakloos",
    r"afgewezen",
    r"vonnis",
    r"rechter",
    r"evict\w*",
    r"kicked out",
    r"lose (?:my|the) (?:house|home|flat|kids|children)",
    r"cut (?:off|my) (?:\w+ ){0,2}(?:benefits|allowance|electricity|gas|power|money)",
    r"(?:benefits|allowance) (?:\w+ ){0,2}(?:stopped|cut|cancelled)",
    r"bailiff",
)
# Crisis words in everyday phrases. They are no signal, and a crisis guess of the model that rests on
# them alone is not trusted.
_HARMLESS = _rx(
    r"klaar mee met (?:dat|die|de|het|al dat|al die|al het) (?!leven\b|bestaan\b)\w+",
    r"spring (?:\w+ ){0,2}(?:binnen|langs|aan)\b",
    r"(?:een |)mes in (?:de|mijn|m'n|mn|zijn|z'n|haar|je) rug",  # betrayal, not a knife
    r"binnen ?(?:springen|spring)",
    r"cutting (?:class|classes|school|lessons)",
    r"dood van (?:het lachen|de hitte|de warmte|de honger|de kou|de dorst|de verveling|nieuwsgierigheid|"
    r"de schaamte|schaamte)",
    r"lach (?:me|mij|je|ik me) (?:\w+ ){0,1}dood",
    r"(?:doodmoe|doodop|dood op|doodziek)",
    r"(?:snij|snijd|snijdt|sneed|knip|knipt|knipte) (?:\w+ ){0,3}(?:haren|pony|groente|groenten|brood|vlees|"
    r"ui|uien|kaas|papier|stof|taart|fruit)",
    r"(?:snij|snijd|snijdt|sneed|knip|knipt|knipte) (?:\w+ ){0,2}(?:eigen|het|mijn|m'n|zijn|z'n|je|haar) haar",
    r"krassen (?:\w+ ){0,2}op (?:de|het|mijn|m'n|onze|zijn|haar) (?:deur|auto|muur|tafel|vloer|scherm|"
    r"telefoon|bril|lak|fiets|kozijn|raam)",
    r"kraslot\w*",
    r"kraskaart\w*",
    r"(?:is|ben|was|lijkt) (?:\w+ ){0,2}(?:zichzelf|mezelf|haarzelf|hemzelf) niet",
    r"(?:telefoon|batterij|accu|plant|plantje|vis|mobiel|laptop) (?:\w+ ){0,2}(?:dood|doodgegaan)",
    r"(?:my |the |)(?:phone|battery|plant) (?:\w+ ){0,2}(?:die|died|dead)",
    r"(?:debts?|bills|letters|stress|rent|prices|costs|this|it|work|job) (?:is|are) (?:\w+ ){0,1}killing me",
    r"(?:schulden|rekeningen|brieven|stress|zorgen|huur|kosten|prijzen) (?:maken|maakt) (?:me|mij) (?:\w+ ){0,1}kapot",
    r"(?:kwestie|zaak|questie) van leven (?:of|en) dood",
    r"(?:matter|question) of life (?:or|and) death",
    r"(?:geld|spaargeld|salaris|uitkering) (?:\w+ ){0,2}(?:bloedt|bloeden) (?:\w+ ){0,1}(?:weg|leeg)",
    # bruises the resident explains by a fall ("oma is gevallen en heeft blauwe plekken"); someone else's
    # explanation ("hij zegt dat ze gevallen is") is no reason to stay calm
    r"(?<!zegt dat )(?<!zei dat )(?<!beweert dat )\b(?:\w+ ){0,1}(?:is|ben|was) (?:\w+ ){0,2}"
    r"(?:gevallen|gestruikeld|uitgegleden) (?:\w+ ){0,6}blauwe plek\w*",
    r"blauwe plek\w* (?:\w+ ){0,3}(?:van|door|na) (?:de|een|het|haar|zijn|mijn|m'n) (?:val|valpartij)\b",
    # a supporter's joke ("ik ga dood als ze weer verliezen"); the "ga dood" inside it is then no signal
    r"(?:wil|wilt|ga|gaat|gaan|zou) (?:\w+ ){0,2}dood als " + _SUPPORTED_TEAM_LOSES,
    r"dood (?:(?!niet\b|geen\b|not\b|no\b)\w+ ){0,8}(?:haha\w*|hihi\w*|lol|xd|grapje)",
    # dread of an everyday duty: "ik ga dood als ik naar wiskunde moet"
    r"(?:ga|gaat|gaan) (?:\w+ ){0,1}dood als (?:ik|ze|hij|we|zij) (?:\w+ ){0,3}(?:school|wiskunde|toets|les|gym|werk|"
    r"tandarts|huiswerk|opruimen|afwassen|stofzuigen)\b",
    # a denial: "geen bedreigingen, gewoon irritant", "er is nooit geweld geweest hoor"
    r"(?:geen|nooit) (?:\w+ ){0,1}(?:bedreiging\w*|geweld|klappen|mishandeling)",
    # insects: "de wespen vallen de kinderen aan"
    r"(?:wesp|wespen|wespennest|bijen|bijennest|hommels|muggen|mieren|\w*processierups\w*)",
    r"(?:wacht|wachten|wachtte|waiting|wait|waited) (?:\w+ ){0,2}(?:op|for) (?:de|een|the|a|my|mijn) (?:\w+ ){0,1}"
    r"(?:trein|bus|tram|metro|sprinter|intercity|train) (?:\w+ ){0,2}(?:naar|to|richting|terug|home|back|die te laat|"
    r"is te laat|was te laat|heeft vertraging|had vertraging|is delayed|was delayed|is late|was late)",
    r"(?:geregeld|regelen|regel|klaar|ingepakt) (?:\w+ ){0,2}voor (?:de|mijn|onze|m'n|ons) (?:verhuizing|verhuis|"
    r"vakantie|bruiloft|feest|verjaardag|reis|vertrek naar)",
    # a book, film or play about someone ("een jeugdboek over een meisje dat zichzelf snijdt")
    r"(?:boek|jeugdboek|roman|film|serie|verhaal|documentaire|toneelstuk|voorstelling|toneelvoorstelling|podcast|"
    r"book|novel|film|movie|series|story|documentary|play) (?:\w+ ){0,3}(?:over|about) (?:een|iemand|a|someone) "
    r"(?:\w+ ){0,2}(?:die|dat|who|that) (?:\w+ ){0,4}(?:snijdt|krast|zichzelf|zelfmoord|suicide|cuts|kills)\w*",
    # a former partner who threatens to go to court ("mijn ex dreigt dat hij naar de rechter stapt")
    r"(?:dreigt|dreigde|dreigen|threatens|threatened) (?:ermee |)(?:dat (?:hij|zij|ze) |to |)(?:\w+ ){0,2}"
    r"(?:naar de rechter|naar de rechtbank|een advocaat|een rechtszaak|juridische stappen|court|a lawyer)",
    r"(?:lighter|aansteker|lucifers|matches) (?:\w+ ){0,4}(?:candle|candles|kaars|kaarsen|kaarsjes|waxinelichtjes|"
    r"fornuis|gasfornuis|barbecue|bbq|open haard|fireplace|stove)",
    r"(?:candle|candles|kaars|kaarsen|kaarsjes|waxinelichtjes|fornuis|gasfornuis|barbecue|bbq|open haard|fireplace|"
    r"stove) (?:\w+ ){0,4}(?:lighter|aansteker|lucifers|matches)",
)
_SENTENCE_SPLIT = re.compile(r"[.;!?\n]+")
# The same, read across commas within a sentence: older children at home for a while ("..., ze zijn 12 en
# 14"), something broken that was not aimed at anyone ("een glas kapot geslagen, niet naar mij").
_HARMLESS_IN_SENTENCE = re.compile(
    r"\balleen thuis\b[^.!?\n]{0,120}\b(?:ze zijn|hij is|zij is|zijn ze|is hij|is ze) (?:1[1-9]|[2-9]\d)\b"
    r"|\b(?:van|zijn|is) 1[1-9]\b[^.!?\n]{0,60}\balleen thuis\b"
    r"|\bniet (?:naar|tegen|op) (?:mij|me|ons|de kinderen|iemand)\b[^.!?\n]{0,30}\b(?:kapot|stuk|op de grond)\b"
    # razor blades for shaving
    r"|\b(?:scheermes|scheermesjes|scheermesje|razor|razors|razor blades?)\b[^.!?\n]{0,80}\b(?:scheert|scheren|scheer|"
    r"geschoren|shave|shaves|shaving|baard|snor)\b"
    r"|\b(?:scheert|scheren|shave|shaves|shaving)\b[^.!?\n]{0,80}\b(?:scheermes|scheermesjes|scheermesje|razor|razors)\b"
    # a saying explained as a joke ("dat zegt ze al twintig jaar, het is haar grapje")
    r"|\b(?:het|dat) is (?:haar|zijn|z'n|een|maar een|ons|hun) (?:grapje|grap|uitdrukking|gezegde|stopwoordje)\b"
)

# "niet", "geen", "nooit" within three words before a signal disarm it, unless followed by "meer".
_NEGATION_BEFORE = re.compile(
    r"\b(?:niet|geen|nooit|niks|nergens|not|never|don't|dont|doesn't|doesnt|didn't|didnt|won't|wont)\b(?! meer)"
    r"(?:\s+(?!(?:en|dan|als|toen|want|omdat|maar|and|then|when|because)\b)[\w']+){0,3}\s*$"
)
_NEGATION_AFTER = re.compile(r"^\s*(?:\w+\s+){0,1}(?:niet|nooit)\b(?! meer)")
_NEGATION_INSIDE = re.compile(
    r"\b(?:niet|nooit|geen|not|never|don't|dont|doesn't|doesnt|didn't|didnt|won't|wont)\b(?! meer)"
)
# Dutch "want" (because) starts a clause; English "want" after a subject or "don't" does not. "maar" as
# "only" ("nog maar een uitweg", "maar twee weken") does not either.
_CLAUSE_SPLIT = re.compile(
    r"[.,;:!?\n]+|(?<!\bnog )\bmaar\b(?! (?:een|1|twee|weinig|net|zo)\b)"
    r"|\balleen\b(?! (?:maar |)(?:een paar|een keer|1 keer|twee keer|af en toe|soms|wel eens|als|toen|thuis|"
    r"gelaten|achtergelaten|op straat|in huis|op het balkon|in de auto)\b)"
    r"|\bbehalve\b"
    r"|(?<!\bi )(?<!\bwe )(?<!they )(?<!\byou )(?<!don't )(?<!dont )(?<!\bdo )(?<!not )(?<!\bto )(?<!just )"
    r"(?<!really )(?<!still )(?<!would )\bwant\b"
)


def normalise(text: str) -> str:
    """Lower case, strip accents, collapse letters repeated 3+ times and whitespace."""
    text = re.sub(
        "[\U0001f602\U0001f923\U0001f606\U0001f605]", " haha ", text
    )  # tears of joy, rolling, grinning
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ı", "i")  # Turkish dotless i, which has no accent to strip ("kızı" -> "kizi")
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)
    text = re.sub(r"\bniet (?:meer |)veilig\b", "onveilig", text)  # "niet veilig" is a signal, not a negation
    text = re.sub(r"[\u2018\u2019\u02bc`]", "'", text)
    text = re.sub(r"\b(?:do not|don't|dont|not|never) (feel |)safe\b", r"\1unsafe", text)
    text = re.sub(r"\bself-harm", "self harm", text)
    text = re.sub(r"[^\w'.,;:!?\n]+", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _clauses(text: str) -> list[str]:
    return [clause.strip() for clause in _CLAUSE_SPLIT.split(text) if clause and clause.strip()]


def _matches(
    clause: str, patterns: tuple[re.Pattern[str], ...], harmless: tuple[tuple[int, int], ...] = ()
) -> tuple[list[str], list[str]]:
    """Return (affirmed, negated) matched phrases of `patterns` in one clause.

    A phrase that overlaps an everyday phrase of the clause (`harmless` spans: "ik ga dood als ze verliezen
    haha") is neither: the words are read as the idiom they are part of."""
    affirmed: list[str] = []
    negated: list[str] = []
    for pattern in patterns:
        for match in pattern.finditer(clause):
            if any(match.start() < end and start < match.end() for start, end in harmless):
                continue
            before, after = clause[: match.start()], clause[match.end() :]
            is_negated = bool(
                _NEGATION_BEFORE.search(before)
                or _NEGATION_AFTER.search(after)
                or (pattern in _DISARMED_FROM_INSIDE and _NEGATION_INSIDE.search(match.group(0)))
            )
            (negated if is_negated else affirmed).append(match.group(0))
    return affirmed, negated


_KIND_PATTERNS: tuple[tuple[CrisisKind, tuple[re.Pattern[str], ...]], ...] = (
    (CrisisKind.ACUTE_DANGER, ACUTE_PATTERNS),
    (CrisisKind.SUICIDE, SUICIDE_PATTERNS),
    (CrisisKind.SELF_HARM, SELF_HARM_PATTERNS),
    (CrisisKind.CHILD_DANGER, CHILD_PATTERNS),
    (CrisisKind.SEXUAL_VIOLENCE, SEXUAL_PATTERNS),
    (CrisisKind.DOMESTIC_VIOLENCE, DOMESTIC_PATTERNS),
)
# Patterns with words between subject and verb ("my husband doesn't hit me", "mezelf geen pijn doen"):
# a negation inside the match disarms them too. Patterns that contain "niet meer" on purpose are not here.
_DISARMED_FROM_INSIDE = frozenset(
    {
        _WANT_TO_DIE,
        _PARENT_HURTS_ME,
        _HIT_ME,
        _ABUSED_ME,
        _BEING_HURT,
        _HE_HURTS,
        _THROWN_AT,
        _CHILD_HURT_PERFECT,
        _CHILD_IS_HURT,  # "de kinderen worden niet geslagen, maar krijgen weinig aandacht"
        _TOUCHES_ME,
        _TOUCHES_A_CHILD,
        *SELF_HARM_PATTERNS,
        DOMESTIC_PATTERNS[-1],
        CHILD_PATTERNS[-1],
    }
)

# A child left alone where adults use drugs: told over several sentences, so checked on the whole text.
_CHILD_ALONE_WITH_DRUGS = re.compile(
    r"\b" + _CHILD + r"\b.{0,300}\b(?:alleen thuis|alleen gelaten|alleen achtergelaten)\b.{0,300}"
    r"\b(?:drugs|spuit|spuiten|naalden|heroine|crack|coke)\b",
    re.DOTALL,
)
# Letters so that others know "it was not their fault", told across a comma.
_LETTERS_NOT_THEIR_FAULT = re.compile(
    r"\b(?:letters?|notes?|brief|brieven|briefjes?)\b[^.!?\n]{0,120}\b(?:(?:wasn't|was not|isn't|is not|it's not) "
    r"(?:their|your|his|her) fault|niet (?:aan (?:hen|jou|jullie|hem|haar) (?:ligt|lag)|(?:hun|jouw|jullie) schuld))"
)
# A carbon monoxide alarm going off while people feel dizzy or sick: leave the house and call 112.
_CO_ALARM = re.compile(r"\b(?:co|koolmonoxide) ?(?:melder|alarm)\b|\bkoolmonoxide\b|\bcarbon monoxide\b")
_CO_SYMPTOMS = re.compile(
    r"\b(?:duizelig|misselijk|hoofdpijn|suf|flauw|dizzy|nauseous|sick|headache|drowsy)\b"
)
_CO_SOURCE = re.compile(
    r"\b(?:gaskachel|oliekachel|petroleumkachel|houtkachel|geiser|barbecue|bbq|aggregaat|generator|gas heater)\b"
)
# A young child left home alone ("ik laat mijn zoon van 4 overdag alleen thuis"): a child of ten or younger,
# or a word for a small child; an older child alone at home is an ordinary question.
_LEFT_ALONE = re.compile(
    r"\b(?:laat|liet|laten|lieten|gelaten|leave|leaves|left|leaving) (?:ik |we |wij |hij |zij |ze |)"
    r"(?:mijn|m'n|mn|ons|onze|haar|zijn|z'n|hun|de|het|my|our|her|his|their|the) (?:\w+ ){0,1}(?P<child>"
    + _CHILD_WORDS
    + r"|son|daughter|boy|girl|kid|kids|child|children|baby|toddler)(?: van (?P<age>\d{1,2})(?: jaar|)| "
    r"\(?(?P<age_en>\d{1,2})\)?|)(?: \w+){0,5} (?:home |)(?:alleen (?:thuis|achter)|alone)\b"
)
_SMALL_CHILD = frozenset(
    {
        "baby",
        "babytje",
        "peuter",
        "kleuter",
        "kindje",
        "kindjes",
        "zoontje",
        "dochtertje",
        "jongetje",
        "toddler",
    }
)
# A child who is "not allowed to tell", with an injury: the secrecy of abuse.
_SECRECY = re.compile(
    r"\b(?:not allowed|isn't allowed|is not allowed|mag (?:het |)niet|niet mag) (?:to tell|vertellen|zeggen)\b"
)
_INJURY = re.compile(
    r"\b(?:burn|burns|burn mark|bruise|bruises|brandwond|brandwonden|brandplek|blauwe plekken|blauwe plek|"
    r"wond|wonden|striemen)\b"
)
_DRUG_GEAR = re.compile(
    r"\b(?:needles|syringes|naalden|spuiten|spuit|crack pipes?)\b(?: \w+){0,4} (?:on the table|lying around|everywhere|"
    r"in the house|op tafel|liggen|lagen|slingeren|gevonden|found)\b|\b(?:there were|er lagen|er liggen) (?:\w+ ){0,1}"
    r"(?:needles|syringes|naalden|spuiten)\b|\b(?:use|uses|using|gebruiken|gebruikt) (?:crack|heroin|heroine)\b"
)
_ANY_CHILD = re.compile(r"\b(?:" + _CHILD_WORDS + r"|jongen|jongens|boy|girl|kid|child|son|daughter)\b")
# Pills kept "for when it no longer works", told across a comma ("de pillen in de la, voor als het niet meer gaat").
_PILLS_FOR_WHEN = re.compile(
    r"\b"
    + _PILLS
    + r"\b[^.!?\n]{0,160}\bvoor (?:als|wanneer|het moment dat|de dag dat) (?:het|ik) (?:\w+ ){0,2}"
    r"(?:niet meer (?:gaat|kan|wil|trek)|het niet meer (?:trek|volhoud|aankan))\b"
)
# Hidden blades, or blades and bloody tissues, found by a parent ("scheermesjes onder haar matras"): self-harm.
_BLADES = re.compile(
    r"\b(?:scheermesjes|scheermesje|scheermes|mesjes|stanleymes|stanleymesjes|stanleymesje|razor ?blades?|razors)\b"
)
_HIDDEN_OR_BLOOD = re.compile(
    r"\b(?:verstopt|verstopte|hidden|hides|hid|stashed|onder (?:haar|zijn|z'n|zn|het|de) (?:matras|kussen|bed)|"
    r"under (?:her|his|their|the) (?:mattress|pillow|bed)|in (?:haar|zijn|z'n) (?:etui|sok|sokken|schoen)|"
    r"in (?:her|his) (?:pencil case|sock|socks)|bebloede|bebloed|bloederige|onder het bloed|met bloed|bloody|"
    r"blood ?stained|bloodstained|covered in blood)\b"
)
# A child thrown out of the house by a parent: danger to a child when the message gives a child's age or word.
_THROWN_OUT = re.compile(
    r"\b(?:vader|moeder|ouders|pa|ma|papa|mama|stiefvader|stiefmoeder|mother|father|mum|mom|dad|parents|stepdad|"
    r"stepfather|stepmother) (?:\w+ ){0,3}(?:hem|haar|mij|me|him|her) (?:\w+ ){0,2}(?:eruit gezet|eruit gegooid|"
    r"op straat gezet|het huis uit gezet|buiten gezet|buitengezet|de deur uit gezet|het huis uit gegooid|kicked out|"
    r"threw out|thrown out)|\b(?:kicked|threw|thrown) (?:him|her|me) out\b"
    r"|\bdoor (?:zijn|haar|mijn|m'n|mn|zn|z'n|hun|de) (?:vader|moeder|ouders|pa|ma|papa|mama|stiefvader|stiefmoeder) "
    r"(?:\w+ ){0,2}(?:eruit gezet|eruit gegooid|op straat gezet|het huis uit gezet|buiten gezet|buitengezet|"
    r"de deur uit gezet|het huis uit gegooid)"
    r"|\b(?:eruit|op straat|het huis uit|de deur uit) (?:gezet|gegooid) door (?:zijn|haar|mijn|m'n|mn|zn|z'n|hun|de) "
    r"(?:vader|moeder|ouders|pa|ma|papa|mama|stiefvader|stiefmoeder)\b"
)
_AGE = re.compile(
    r"\b(?:van|is|ben|aged|age) (?P<a>\d{1,2})\b(?! (?:euro|uur|minuten|dagen|weken|maanden|procent|keer))"
    r"|\b(?P<b>\d{1,2}) ?(?:jaar oud|jarige|year old|years old|yo)\b|\((?P<c>\d{1,2})\)"
)
_SLEEPING_ROUGH = re.compile(
    r"\b(?:slaapt|slaap|slapen|sliep|sleeps|sleeping|slept) (?:\w+ ){0,4}(?:buiten|op straat|in het park|"
    r"in (?:de|een) (?:fietsenkelder|schuur|fietsenstalling|portiek|bosjes)|in het trappenhuis|bij (?:vreemde |)mannen|"
    r"outside|in the park|on the street|in (?:a|the) (?:shed|stairwell|bike shed|doorway))\b"
)
# Gas smelled while someone threatens or fire is near: get out and call 112.
_GAS_SMELL = re.compile(
    r"\b(?:ruik|ruiken|rook|roken|smell|smells|smelled|smelling) (?:\w+ ){0,3}gas\b|\bgaslucht\b"
)
_GAS_DANGER = re.compile(
    r"\b(?:dreigt|dreigde|roept|riep|schreeuwt|opblazen|opblaast|ontploffen|ontploft|explosie|aansteker|vuur|"
    r"aansteken|steekt|threatens|shouting|yelling|blow up|explode|lighter|fire)\b"
)
# People at the door who pound on it and say they will come in: acute danger (112), whoever they are.
_POUNDING = re.compile(
    r"\b(?:slaan|slaat|sloegen|bonken|bonkt|bonsden|bonzen|bonst|beuken|beukt|trappen|trapt|schoppen|schopt|rammen|"
    r"ramt|hameren|hamert|banging|pounding|kicking|hammering) (?:\w+ ){0,3}(?:tegen|op|on|at) (?:de|het|mijn|m'n|onze|"
    r"ons|the|my|our) (?:ramen|raam|ruit|ruiten|deur|voordeur|door|front door|window|windows)\b"
)
# ... and say, shout or threaten that they will come in, or try to (not rain that gets in, not children who want to play)
_FORCING_IN = re.compile(
    r"\b(?:zeggen|zegt|zeiden|roepen|roept|riepen|dreigen|dreigt|schreeuwen|schreeuwt|say|says|said|shout\w*|yell\w*|"
    r"threaten\w*) (?:[\w']+ ){0,4}(?:binnenkomen|binnen komen|naar binnen (?:komen|gaan)|(?:de )?deur in ?trappen|"
    r"(?:de )?deur open ?breken|inbreken|(?:me|mij|ons) komen halen|(?:me|mij|ons) (?:\w+ ){0,1}pakken|break (?:in|the door)|"
    r"come in|get in|get me)\b"
    r"|\b(?:proberen|probeert|probeerden|trying|try|tried) (?:\w+ ){0,2}(?:binnen te komen|de deur in te trappen|"
    r"de deur open te breken|in te breken|to (?:get|break) in)\b"
)
_BAILIFF = re.compile(r"\b(?:deurwaarder|deurwaarders|bailiff)\b")
# A child who goes to meet an adult met online ("een 'jongen' van internet die een volwassen man blijkt").
_MEETS = re.compile(
    r"\b(?:afspreken|afgesproken|afspraak|ontmoeten|ontmoet|meet|meeting|meets|naar hem toe|bij hem langs|"
    r"(?:spreekt|spreken|sprak|spraken) (?:\w+ ){0,6}af)\b"
)
_MET_ONLINE = re.compile(
    r"\b(?:online|internet|snapchat|snap|instagram|insta|tiktok|discord|whatsapp|chat|chatten|gamen|game|app)\b"
)
_ADULT_MAN = re.compile(
    r"\b(?:volwassen man|volwassene|oudere man|veel ouder|man van (?:[2-9]\d|dertig|veertig|vijftig)|"
    r"(?:[2-9]\d) jaar oud|grown man|adult man|older man|an adult|much older)\b"
)
# A cry of pain heard or called out ("stop, je doet me pijn" through the wall): violence at home.
_CRY_VERBS = (
    r"roept|roepen|riep|schreeuwt|schreeuwen|schreeuwde|gilt|gillen|gilde|screams|screaming|yells|yelling|shouts|"
    r"shouting"
)
_PAIN_WORDS = r"je doet me pijn|jij doet me pijn|niet slaan|you(?:'re| are) hurting me|stop hitting"
_PAIN_CRY = re.compile(
    rf"\b(?:hoor|hoort|horen|hoorde|hoorden|hear|hearing|heard|{_CRY_VERBS})\b[^.!?]{{0,80}}?"
    rf"\b(?:{_PAIN_WORDS}|stop met slaan|hou op met slaan)\b"
    rf"|\b(?:{_PAIN_WORDS})'? (?:\w+ ){{0,2}}(?:{_CRY_VERBS})\b"
)
# A child beaten, in Somali ("wiilkayga ..., aabihiis ayaa garaaca"): the child is named a clause before the verb.
_SOMALI_CHILD_BEATEN = re.compile(
    r"\b(?:wiil|gabar|gabadh|ilmo|ilmaha|carruur|cunug)\w*\b[^.!?]{0,80}?\bgaraac\w*"
)
# Someone with dementia who is missing now (in the cold, in the dark): the police search, 112.
_DEMENTIA = re.compile(r"\b(?:dementie|dement|dementerend\w*|alzheimer\w*|dementia)\b")
_GONE_MISSING = re.compile(
    r"\b(?:moeder|vader|oma|opa|man|vrouw|partner|schoonmoeder|schoonvader|buurman|buurvrouw|tante|oom|hij|zij|ze|"
    r"mother|father|mum|mom|dad|grandma|grandpa|grandmother|grandfather|husband|wife|he|she)"
    r"(?:,? (?:met|die|with|who has) (?:\w+ ){0,2}(?:dementie|alzheimer\w*|dementia)(?: heeft|),?|) "
    r"(?:is|wordt|raakte|has|went) (?:\w+ ){0,3}(?:weg|vermist|zoek|weggelopen|verdwenen|kwijt|nergens|"
    r"niet (?:thuis|terug) ?gekomen|missing)\b"
)
_FOUND_AGAIN = re.compile(r"\b(?:gevonden|teruggevonden|terecht|weer thuis|terug thuis|found|back home)\b")
# Arms cut open with a blade, or by the child or resident itself: self-harm.
_CUT_OPEN = re.compile(
    r"\b(?:armen|arm|polsen|pols|benen|dijen|bovenbenen|arms|wrists|legs|thighs) (?:\w+ ){0,2}(?:opengehaald|"
    r"open gehaald|opengesneden|open gesneden|opengekrast|open gekrast|kapotgesneden|kapot gesneden|cut open|"
    r"sliced open|slashed)\b"
)
_BY_ONESELF = re.compile(r"\b(?:zichzelf|mezelf|mijzelf|zelf|herself|himself|myself)\b")
# Standing on a roof, a bridge or a balcony and thinking of jumping.
_ON_A_HEIGHT = re.compile(
    r"\b(?:sta|staat|zit|zitten|ben|stand|standing|sitting|am|i'm) (?:\w+ ){0,3}(?:op|bovenop|on|on top of) "
    r"(?:het|de|een|ons|onze|mijn|m'n|the|a|our|my) (?:\w+ ){0,1}(?:dak|brug|balkon|rand|flat|parkeergarage|spoor|"
    r"roof|bridge|balcony|ledge|rooftop)\b[^.!?]{0,160}?\b(?:(?:ik|i) (?:\w+ ){0,4}(?:spring|springen|jump)|"
    r"te springen|to jump)\b"
)
# "Everyone is better off if I ..." with an ending: the resident's own absence as a relief to others.
_EASIER_WITHOUT_ME = re.compile(
    r"\bvoor iedereen (?:\w+ ){0,2}(?:makkelijker|beter|fijner|rustiger) (?:is |zou zijn |wordt |)als ik "
    r"(?:er niet meer (?:ben|zou zijn|was)|spring|weg ben|dood ben|verdwijn|verdwenen ben)\b"
    r"|\beasier for everyone if i (?:was|were|am) (?:gone|dead|not here)\b"
)
_NUMBER_WORDS = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8}
# A young child, by its age or a word for one ("zoontje van 4", "dochter (3)", "5-year-old", "peuter").
_YOUNG_CHILD = re.compile(
    r"\b(?:(?P<age>\d)(?: year old|-year-old| jaar oud| jarige)|(?:zoon|dochter|zoontje|dochtertje|kind|kindje|"
    r"jongste|son|daughter|child|girl|boy) (?:(?:van |is |of |\(|)(?P<digit>\d)(?: jaar|\)|\b)|van (?P<word>"
    + "|".join(_NUMBER_WORDS)
    + r")\b|(?P<word_year>"
    + "|".join(_NUMBER_WORDS)
    + r") jaar\b)|peuter|kleuter|toddler)\b"
)
# A small child who hits the parent in a tantrum ("ze slaat en schopt mij als ze haar zin niet krijgt"):
# a question about upbringing, not violence at home.
_TANTRUM = re.compile(
    r"\b(?:driftbui\w*|woedebui\w*|woedeaanval\w*|boze bui\w*|(?:zijn|haar|z'n) zin niet|boos wordt|boos is|"
    r"tantrum\w*|meltdown\w*)\b"
)
_PRONOUN_HITTER = re.compile(
    r"(?:hij|zij|ze) |\w+ (?:hij|zij|ze) (?:me|mij)$"
)  # "ze slaat me", "slaat hij me"
_ADULT_HITTER = re.compile(
    r"\b(?:man|vriend|partner|ex|echtgenoot|vader|stiefvader|moeder|stiefmoeder|husband|boyfriend|father|dad)\b"
)
# An ex-partner or partner who waits at the door and threatens ("je zult wel zien wat er gebeurt").
_EX_PARTNER = re.compile(
    r"\b(?:ex|ex partner|expartner|ex man|ex vriend|man|vriend|partner|my ex|her ex|his ex)\b"
)
_VEILED_THREAT = re.compile(
    r"\b(?:zal|zult|zullen) zien wat er (?:gebeurt|gaat gebeuren|van komt)\b|\byou(?:'ll| will) see what happens\b"
)
# Coercion at night: someone with power over the resident comes into their room and threatens them.
_NIGHT_VISITS = _rx(
    r"(?:komt|kwam|komen|kwamen) (?:\w+ ){0,2}'?s ?nachts (?:\w+ ){0,2}(?:in|op|naar) (?:mijn|m'n|mn) (?:kamer|bed)",
    r"(?:comes|came|coming) (?:into|in) my (?:room|bed) at night",
)
# "ik wilde het niet, maar hij ging door": across the clause border that "maar" makes.
_WENT_ON_AGAINST_MY_WILL = re.compile(
    r"\bik wilde (?:geen seks|het niet|niet)\b[^.!?\n]{0,20}\b(?:maar|en) (?:hij|zij|ze) (?:ging|gingen|deed) "
    r"(?:\w+ ){0,1}door\b"
)
_COERCION = _rx(
    r"als ik niet doe wat (?:hij|zij|ze) (?:wil|zegt|vraagt)",
    r"(?:zeg|zei) (?:\w+ ){0,1}nee (?:\w+ ){0,2}(?:maar|en) (?:hij|zij|ze) (?:doet|deed|gaat|ging) (?:het |)(?:toch|door)",
    r"(?:say|said) no (?:\w+ ){0,2}(?:but|and) (?:he|she) (?:does it anyway|did it anyway|keeps going|kept going)",
    r"if i (?:don't|dont|do not) do what (?:he|she) (?:wants|says)",
)

# Long messages are checked in full but in windows, so one pathological message stays cheap.
_MAX_CHECKED_CHARS = 60_000


# An attempt long ago that the resident says is over: "drie jaar geleden heb ik een zelfmoordpoging gedaan,
# nu gaat het goed". Not a crisis reply, but a check-in (113 first), then the answer.
_PAST_ATTEMPT = re.compile(
    r"^(?:zelf ?moord ?poging|suicide ?poging|suicidepoging|poging tot zelfdoding)\w*$"
)
_PAST_VIOLENCE = re.compile(
    r"^(?:huiselijk geweld|relationeel geweld|domestic (?:violence|abuse)|kinder ?mishandeling|child abuse|"
    r"thuis (?:\w+ ){0,2}onveilig|onveilig thuis)$"
    r"|^(?!.*\b(?:nu|weer|nog)\b).*\b(?:heeft|had|hebben) (?:\w+ ){0,3}(?:vroeger|toen|destijds|"
    r"(?:\w+ |)(?:jaren|jaar|maanden|lang) geleden) (?:\w+ ){0,2}(?:mishandeld|geslagen)$"
    # the passive: "ik ben drie jaar geleden mishandeld (door mijn ex)", "zij werd vroeger geslagen"
    r"|^(?!.*\b(?:nu|weer|nog)\b).*\b(?:ben|was|werd|werden|zijn|is) (?:\w+ ){0,4}(?:mishandeld|geslagen)$"
)
# Abuse told as something that was done ("twintig jaar geleden ben ik misbruikt"), not as going on ("wordt").
_PAST_ABUSE = re.compile(
    r"^(?!.*\b(?:wordt|word|worden|nu)\b).*\b(?:misbruikt|verkracht|aangerand|seksueel misbruik|verkrachting|"
    r"aanranding|misbruik)$"
)
# The words that name each kind's past crisis (a grown-up about a childhood long ago counts as violence).
# An overdose told with a time long ago ("vorig jaar heeft ze pillen ingenomen"): like an attempt that is over.
_PAST_OVERDOSE = re.compile(
    r"^(?:pillen|pil|medicijnen|tabletten|slaappillen) (?:\w+ ){0,7}(?:genomen|geslikt|ingenomen)$|^overdosis\b.*"
)
_PAST_NAMING = {
    CrisisKind.SUICIDE: _PAST_ATTEMPT,
    CrisisKind.ACUTE_DANGER: _PAST_OVERDOSE,
    CrisisKind.DOMESTIC_VIOLENCE: _PAST_VIOLENCE,
    CrisisKind.CHILD_DANGER: _PAST_VIOLENCE,
    CrisisKind.SEXUAL_VIOLENCE: _PAST_ABUSE,
}
_LONG_AGO = _rx(
    r"(?:jaar|jaren|maanden) geleden",
    r"(?:years|months|a year) ago",
    r"vroeger",
    r"(?:dit|vorig|afgelopen) (?:voorjaar|najaar)",
    r"afgelopen (?:zomer|winter|lente|herfst|jaar)",
    r"destijds",
    r"vorig jaar",
    r"vorige (?:zomer|winter|lente|herfst)",
    r"(?:een|1|twee|drie|paar) jaar terug",
    r"last year",
    r"in 20[0-2]\d",
    # "na het huiselijk geweld ... dat is nu voorbij": over, so long enough ago
    *_IT_IS_OVER,
)
# A wish to die told in the past tense about that time ("vorig jaar wilde ik er een einde aan maken"): when the
# message also says it goes well now, an attempt or wish that is over (`_past_and_over`).
_PAST_TENSE = _rx(
    r"wilde",
    r"wou",
    r"dacht",
    r"deed",
    r"probeerde",
    r"had",
    r"was",
    r"stond",
    r"zag",
    r"wanted",
    r"tried",
    r"thought",
    r"had",
    # the perfect tense: "jaren geleden heb ik aan zelfmoord gedacht"
    r"(?:heb|had|hebben) (?:\w+ ){0,6}(?:gedacht|geprobeerd|gewild|overwogen)",
    r"(?:have|had) (?:\w+ ){0,2}(?:thought|tried|wanted)",
)
_STILL = _rx(r"nog steeds", r"nog altijd", r"weer", r"opnieuw", r"soms nog", r"still", r"again", r"sometimes")
_GOING_WELL_NOW = _rx(
    r"(?:nu |inmiddels |)" + _GOES_WELL,
    rf"(?:woon|wonen|ben|zijn) {_UNNEGATED_WORD}{{0,2}}veilig",
    r"geen contact meer",
    r"(?:al |)(?:\w+ ){0,1}(?:jaar|jaren|maanden) geen contact",
    rf"(?:i am|i'm|im) {_UNNEGATED_WORD}{{0,1}}(?:doing |)(?:well|fine|better) now",
    r"in behandeling",
    # the one who did it is in prison, or the resident lives elsewhere now
    r"(?:hij|zij|ze) zit (?:inmiddels |nu |al |)(?:\w+ ){0,1}vast\b",
    r"(?:woon|wonen) (?:\w+ ){0,3}(?:op een ander adres|ergens anders|niet meer (?:bij|met) (?:hem|haar))",
    rf"(?:het|alles) gaat {_UNNEGATED_WORD}{{0,3}}(?:goed|beter|prima)",
    r"(?:gaat|is|blijft|zijn|blijven) (?:het |ze |hij |zij |)(?:\w+ ){0,3}stabiel",
    rf"(?:i am|i'm|im) {_UNNEGATED_WORD}{{0,1}}safe now",
    *_IT_IS_OVER,
)


def _past_and_over(
    found: dict[CrisisKind, list[str]], clauses: list[str], told_as_past: list[str]
) -> tuple[CrisisKind | None, list[str]]:
    """An attempt, violence at home or sexual abuse, long ago and over: its kind and signals, removed from `found`.

    `told_as_past`: suicide signals in a sentence about long ago in the past tense ("vorig jaar wilde ik dood")."""
    if len(found) != 1:
        return None, []
    kind, signals = next(iter(found.items()))
    naming = _PAST_NAMING.get(kind)
    past = list(told_as_past) if kind is CrisisKind.SUICIDE else []
    if naming is None:
        return None, []
    for signal in signals:
        if naming.match(signal):
            continue
        if signal not in past:
            return None, []
        past.remove(signal)
    text = " ".join(clauses)
    if _LONG_AGO.search(text) and _GOING_WELL_NOW.search(text):
        return kind, found.pop(kind)
    return None, []


# Naming words of a crisis ("huiselijk geweld", "zelfmoordpoging"): alone they are the topic, not a signal, when
# the message is about a course, a training or a school project.
_NAMING = re.compile(
    r"^(?:huiselijk geweld|relationeel geweld|zelf ?(?:moord|doding)\w*|su[i]?[c]?id\w*|suicid\w*|kinder ?mishandeling|"
    r"kinder ?misbruik|seksueel (?:geweld|misbruik)|domestic (?:violence|abuse)|child (?:abuse|neglect)|"
    r"zelf ?beschadig\w*|automutilatie|self harm\w*)$"
)
_ABOUT_THE_TOPIC = _rx(
    r"wat (?:doet|doen) (?:het |de |)(?:centrum seksueel geweld|veilig thuis|113|csg)",
    r"what (?:does|do) (?:the |)(?:centrum seksueel geweld|veilig thuis|113|csg) (?:\w+ ){0,1}do",
    r"(?:flyer|poster|folder|leaflet) ",
    r"(?:training|trainingen|cursus|presentatie|werkstuk|spreekbeurt|les|lessen|lezing|project|scriptie|opdracht|"
    r"voorlichting|course|presentation|school project|assignment|workshop|boek|boeken|film|films|documentaire|"
    r"essay|paper|interview|voorstelling|toneelvoorstelling|toneelstuk|thema-avond|themaavond|avond|bijeenkomst|"
    r"serie|artikel|artikelen|podcast|folder|folders|cijfers|statistieken|leesclub|book|books|film|documentary|"
    r"article|articles|leaflet|statistics) (?:\w+ ){0,3}(?:over|about) ",
    # a study question: "voor mijn opleiding: wat valt er onder de term 'huiselijk geweld'?"
    r"voor (?:mijn|m'n|mn|onze|de|een) (?:opleiding|studie|stage|scriptie|tentamen|examen|werkstuk|huiswerk|les|"
    r"college|toets|verslag|essay|minor|cursus|opdracht|schoolopdracht|studieopdracht)",
    r"(?:de term|het begrip|het woord|de definitie|definitie van|the term|the definition|definition of)",
    r"(?:ik studeer|i study)\b",
    r"(?:ik ben|i am|i'm) (?:a |an |een |)(?:\w+ ){0,2}(?:student|studente|stagiair|stagiaire|intern)\b",
    # a council or a resident asking how the team handles such a message: "als iemand schrijft over zelfdoding"
    r"(?:als|wanneer|if|when) (?:iemand|een bewoner|een client|someone|a resident) (?:\w+ ){0,3}(?:schrijft|zegt|"
    r"vertelt|praat|begint|meldt|typt|writes|says|mentions|talks) (?:\w+ ){0,2}(?:over|about)",
    r"namens (?:de|het|onze|ons) (?:clientenraad|ouderraad|wijkraad|bewonersraad|medezeggenschapsraad|adviesraad|"
    r"participatieraad)",
    # a reading club, a journalist or a researcher: the topic, not a disclosure
    r"(?:leesclub|boekenclub|book club|reading group|filmclub|docu|docuserie|netflix\w*)",
    r"(?:als vrijwilliger|vrijwilligerswerk|volunteer\w*)",
    r"(?:verloren|verloor|kwijtgeraakt) (?:aan|door) (?:zelf ?moord|zelfdoding|suicide)",
    r"(?:ik werk als|ik ben werkzaam als|i work as|ik werk (?:bij|in) (?:een|de|het) (?:huisartsenpraktijk|praktijk|school|"
    r"kinderopvang|consultatiebureau|ggz|jeugdzorg))\b",
    # a professional asking about a client ("ik ben jeugdhulpverlener en wil weten hoe lang de wachtlijst is")
    r"(?:ik ben|wij zijn|we zijn|i am|i'm) (?:een |a |an |)(?:\w+ ){0,1}(?:jeugdhulpverlener|hulpverlener|"
    r"maatschappelijk werker|sociaal werker|wijkverpleegkundige|jeugdverpleegkundige|jeugdarts|huisarts|"
    r"praktijkondersteuner|leerkracht|docent|intern begeleider|schoolmaatschappelijk werker|"
    r"pedagogisch medewerker|zorgcoordinator|social worker|youth worker|teacher|nurse)\b",
    r"(?:ik ben|wij zijn|we zijn|i am|i'm|im|we are) (?:een |a |an |)(?:\w+ ){0,1}(?:journalist|journaliste|verslaggever|"
    r"onderzoeker|researcher|reporter|journalists|researchers)\b",
    r"(?:writing|researching|research|onderzoek doen|onderzoek) (?:\w+ ){0,1}(?:about|on|into|over|naar) (?:how|hoe)\b",
    r"(?:cursus|training|workshop|course) (?:\w+ ){0,2}signalen",
    r"signalen (?:\w+ ){0,3}herkennen",
    r"wat (?:valt|vallen) (?:er |)(?:\w+ ){0,2}onder",
    # a professional's question about a procedure: "wat is de meldcode huiselijk geweld precies?"
    r"meldcode",
    r"wat (?:is|betekent) (?:de |het |een |)(?:\w+ ){0,4}(?:precies|eigenlijk)\b",
    r"(?:for|in) (?:my|our|a) (?:course|studies|degree|class|assignment|essay|thesis|internship|exam|homework)",
)


# The resident's own home or people: a naming word there is a disclosure, whatever else the message asks.
_OWN_HOME = _rx(
    # not a denial: "bij ons thuis speelt dat helemaal niet"
    r"bij (?:ons|mij|mijn|m'n|mn) (?:thuis|in huis)(?! (?:\w+ ){0,3}(?:niet|nooit|geen)\b)",
    r"bij ons(?! (?:thuis |in huis |)(?:\w+ ){0,3}(?:niet|nooit|geen)\b)",
    r"(?:mijn|m'n|mn|onze) (?:man|vrouw|partner|vriend|vriendin|vader|moeder|stiefvader|stiefmoeder|ex|broer|zus|"
    r"zoon|dochter|kinderen|kind|ouders|familie)\b(?! (?:\w+ ){0,2}(?:houdt|heeft|moet|doet|volgt|schrijft|maakt|"
    r"leest|las|stelt|vraagt|zag|keek|hoorde) (?:\w+ ){0,2}(?:spreekbeurt|werkstuk|boekverslag|cursus|opleiding|essay|"
    r"presentatie|opdracht|scriptie|stage|vragen|film|boek|serie|docu|voorstelling|les|video|filmpje|voorlichting)\b)"
    r"(?! (?:\w+ ){0,3}vragen\b)",
    r"(?:at|in) (?:my|our) (?:home|house)",
    r"(?:my|our) (?:husband|wife|partner|boyfriend|girlfriend|father|mother|dad|mum|mom|ex|children|kids)",
)


def _only_about_the_topic(found: dict[CrisisKind, list[str]], clauses: list[str]) -> bool:
    """A course or school project about a crisis topic: its only signals are naming words (dropped)."""
    signals = [signal for kind_signals in found.values() for signal in kind_signals]
    if not signals or not all(_NAMING.match(signal) for signal in signals):
        return False
    if _OWN_HOME.search(" ".join(clauses)):  # "er is huiselijk geweld bij ons thuis, wat is de meldcode?"
        return False
    if any(_ABOUT_THE_TOPIC.search(clause) for clause in clauses):
        found.clear()
        return True
    return False


# A novel, a film or a series about someone: the signal is the story's ("een roman over een meisje dat thuis
# misbruikt wordt"), up to the next clause ("... en toen besefte ik dat hij mij ook slaat" is the resident's).
_STORY_ABOUT = re.compile(
    r"\b(?:roman|boek|film|serie|docu|documentaire|verhaal|toneelstuk|voorstelling|podcast|novel|book|movie|series|"
    r"documentary|story|play) (?:\w+ ){0,3}(?:over|about) (?P<story>(?:(?! (?:en|toen|want|omdat|terwijl|maar|and|"
    r"then|because|but) )[^.!?,;])*)"
)


def _only_in_a_story(found: dict[CrisisKind, list[str]], text: str) -> bool:
    """Every signal is part of a story the resident read or saw (dropped), and none is about their own home."""
    stories = [match.group("story") for match in _STORY_ABOUT.finditer(text)]
    signals = [signal for kind_signals in found.values() for signal in kind_signals]
    if not (stories and signals) or _OWN_HOME.search(text):
        return False
    if all(any(signal in story for story in stories) for signal in signals):
        found.clear()
        return True
    return False


_DO_SOMETHING_TO_ME = re.compile(r"^(?:me|mij) (?:iets |wat |)aan ?doen$|^(?:me|mij) (?:iets|wat) aandoen$")


def _threat_by_others(found: dict[CrisisKind, list[str]]) -> None:
    """ "Ze doen me iets aan als ik niet trouw": a threat by others read as self-harm words. When the only
    suicide signal is "me iets aandoen" and a threat at home was found too, it is violence at home."""
    suicide = found.get(CrisisKind.SUICIDE)
    if (
        suicide
        and CrisisKind.DOMESTIC_VIOLENCE in found
        and all(_DO_SOMETHING_TO_ME.match(s) for s in suicide)
    ):
        found[CrisisKind.DOMESTIC_VIOLENCE].extend(found.pop(CrisisKind.SUICIDE))


_SIBLING_FIGHT = re.compile(
    r"^(?:slaat|sloeg|schopt|schopte|bijt|beet|duwt|duwde|slaan|schoppen) (?:zijn|haar|z'n) (?:\w+ ){0,1}(?:broertje|"
    r"zusje|broer|zus|broertjes|zusjes)$"
)
# d: a small child who repeats "I want to die" in a tantrum, as the parent explains
_SAYS = re.compile(r".{0,80}?\b(?:screams|yells|shouts|says|roept|schreeuwt|gilt|zegt)\b")


def _childs_own_words(found: dict[CrisisKind, list[str]], text: str) -> None:
    """A child hitting its own brother or sister, or a small child repeating "I want to die" in a tantrum: the
    parent asks about upbringing, not about danger. Removes those signals from `found`."""
    child = found.get(CrisisKind.CHILD_DANGER)
    if child and all(_SIBLING_FIGHT.match(signal) for signal in child):
        found.pop(CrisisKind.CHILD_DANGER)
    if CrisisKind.SUICIDE in found and len(found) == 1 and _young_child(text, oldest=6, then=_SAYS):
        found.pop(CrisisKind.SUICIDE)


def _young_child(text: str, oldest: int, then: re.Pattern[str] | None = None) -> bool:
    """The message names a child of `oldest` or younger (or a toddler without an age), followed by `then`."""
    for match in _YOUNG_CHILD.finditer(text):
        digit = match.group("age") or match.group("digit")
        word = match.group("word") or match.group("word_year")
        age = int(digit) if digit else _NUMBER_WORDS[word] if word else None
        if (age is None or 1 <= age <= oldest) and (then is None or then.match(text, match.end())):
            return True
    return False


def _ages(text: str) -> list[int]:
    """Every age the message names ("van 12", "(4)", "15 jaar oud")."""
    return [int(next(age for age in match.groups() if age)) for match in _AGE.finditer(text)]


def _child_meets_adult_from_online(text: str) -> bool:
    """A child (15 or younger, or without an age) about to meet an adult it knows from the internet."""
    if not (_MEETS.search(text) and _MET_ONLINE.search(text) and _ADULT_MAN.search(text)):
        return False
    minors = [age for age in _ages(text) if age < 18]  # not the adult's age ("een man van 35")
    return any(age <= 15 for age in minors) if minors else bool(_ANY_CHILD.search(text))


def _small_child_hits_parent(found: dict[CrisisKind, list[str]], text: str) -> None:
    """A toddler or young child who hits the parent in a tantrum: no violence at home (no adult hitter named)."""
    violence = found.get(CrisisKind.DOMESTIC_VIOLENCE)
    if (
        violence
        and len(found) == 1
        and all(_PRONOUN_HITTER.match(signal) for signal in violence)
        and _young_child(text, oldest=8)
        and _TANTRUM.search(text)
        and not _ADULT_HITTER.search(text)
    ):
        found.pop(CrisisKind.DOMESTIC_VIOLENCE)


def _put_out_child_in_danger(text: str) -> bool:
    """A child put out of the house: 15 or younger, or a minor (or a child without an age) sleeping rough. A
    16- or 17-year-old who asks where to sleep gets the answer about emergency shelter instead."""
    ages = _ages(text)
    if ages and min(ages) <= 15:
        return True
    minor = min(ages) < 18 if ages else bool(_ANY_CHILD.search(text))
    return minor and bool(_SLEEPING_ROUGH.search(text))


def _told_as_past(sentence: str) -> bool:
    """A sentence about long ago in the past tense, that does not say it still goes on."""
    return bool(_LONG_AGO.search(sentence) and _PAST_TENSE.search(sentence) and not _STILL.search(sentence))


def _young_child_left_alone(text: str) -> bool:
    for match in _LEFT_ALONE.finditer(text):
        age = match.group("age") or match.group("age_en")
        if (age and int(age) <= 10) or (not age and match.group("child") in _SMALL_CHILD):
            return True
    return False


def _all(*patterns: re.Pattern[str]) -> Callable[[str], bool]:
    """A check that every pattern is found somewhere in the message."""
    return lambda text: all(pattern.search(text) for pattern in patterns)


def _carbon_monoxide(text: str) -> bool:
    """A carbon monoxide alarm with a complaint, or a source of it with two complaints."""
    symptoms = set(_CO_SYMPTOMS.findall(text))
    return bool((_CO_ALARM.search(text) and symptoms) or (_CO_SOURCE.search(text) and len(symptoms) >= 2))


#: Signals read in the whole message, across clauses and sentences: (kind, check, label for the logs).
_WHOLE_MESSAGE_SIGNALS: tuple[tuple[CrisisKind, Callable[[str], object], str], ...] = (
    (CrisisKind.CHILD_DANGER, _CHILD_ALONE_WITH_DRUGS.search, "alleen thuis bij drugs"),
    (CrisisKind.CHILD_DANGER, _all(_DRUG_GEAR, _ANY_CHILD), "een kind bij harddrugs"),
    (
        CrisisKind.CHILD_DANGER,
        lambda text: _young_child_left_alone(text) or _all(_SECRECY, _INJURY, _ANY_CHILD)(text),
        "jong kind alleen, of een geheim met letsel",
    ),
    (CrisisKind.SUICIDE, _PILLS_FOR_WHEN.search, "pillen voor als het niet meer gaat"),
    (CrisisKind.SELF_HARM, _all(_BLADES, _HIDDEN_OR_BLOOD), "mesjes verstopt of met bloed"),
    (
        CrisisKind.CHILD_DANGER,
        lambda text: bool(_THROWN_OUT.search(text)) and _put_out_child_in_danger(text),
        "kind op straat gezet",
    ),
    (CrisisKind.ACUTE_DANGER, _all(_GAS_SMELL, _GAS_DANGER), "gaslucht en dreiging"),
    (
        CrisisKind.ACUTE_DANGER,
        lambda text: _all(_POUNDING, _FORCING_IN)(text) and not _BAILIFF.search(text),
        "bonken op deur of ramen, dreigen binnen te komen",
    ),
    (CrisisKind.CHILD_DANGER, _child_meets_adult_from_online, "kind spreekt af met volwassene van internet"),
    (CrisisKind.DOMESTIC_VIOLENCE, _all(_EX_PARTNER, _VEILED_THREAT), "bedreiging door (ex-)partner"),
    (CrisisKind.SUICIDE, _LETTERS_NOT_THEIR_FAULT.search, "brieven: niet hun schuld"),
    (CrisisKind.ACUTE_DANGER, _carbon_monoxide, "koolmonoxide en klachten"),
    (CrisisKind.SEXUAL_VIOLENCE, _WENT_ON_AGAINST_MY_WILL.search, "ging door tegen de wil in"),
    (CrisisKind.SEXUAL_VIOLENCE, _all(_NIGHT_VISITS, _COERCION), "'s nachts in de kamer, onder dwang"),
    (CrisisKind.CHILD_DANGER, _SOMALI_CHILD_BEATEN.search, "kind geslagen (Somalisch)"),
    (CrisisKind.DOMESTIC_VIOLENCE, _PAIN_CRY.search, "roept dat iemand haar of hem pijn doet"),
    (
        CrisisKind.ACUTE_DANGER,
        lambda text: _all(_DEMENTIA, _GONE_MISSING)(text) and not _FOUND_AGAIN.search(text),
        "iemand met dementie is vermist",
    ),
    (
        CrisisKind.SELF_HARM,
        lambda text: bool(_CUT_OPEN.search(text)) and bool(_BLADES.search(text) or _BY_ONESELF.search(text)),
        "armen opengesneden",
    ),
    (
        CrisisKind.SUICIDE,
        lambda text: bool(_ON_A_HEIGHT.search(text) or _EASIER_WITHOUT_ME.search(text)),
        "op een hoogte en denkt aan springen, of beter zonder mij",
    ),
)


def assess(text: str) -> Assessment:
    """Classify `text` as a crisis kind, a possible one, or none; see the module docstring for the rules."""
    normalised = normalise(text[:_MAX_CHECKED_CHARS])
    # clauses sentence by sentence, each with whether its sentence says "nu" (the same clauses as
    # `_clauses(normalised)`: the sentence borders are clause borders too)
    in_sentences = [
        (clause, sentence_now, sentence_past)
        for sentence in _SENTENCE_SPLIT.split(normalised)
        for sentence_now in (bool(_NOW.search(sentence)),)
        for sentence_past in (_told_as_past(sentence),)
        for clause in _clauses(sentence)
    ]
    clauses = [clause for clause, _, _ in in_sentences]
    told_as_past: list[str] = []
    found: dict[CrisisKind, list[str]] = {}
    negated: list[str] = []
    possible: list[str] = []
    arranged: list[str] = []
    now_mentioned = exhausted = False
    harmless = [match.group(0) for clause in clauses for match in _HARMLESS.finditer(clause)]
    harmless += [match.group(0) for match in _HARMLESS_IN_SENTENCE.finditer(normalised)]
    # "nu" in the violence's own sentence, not anywhere ("hij sloeg me. ik ben nu bij een vriendin")
    violence_now = False
    for clause, sentence_now, sentence_past in in_sentences:
        now_mentioned = now_mentioned or bool(_NOW.search(clause))
        exhausted = exhausted or bool(_EXHAUSTION.search(clause))
        idioms = tuple(match.span() for match in _HARMLESS.finditer(clause))
        for kind, patterns in _KIND_PATTERNS:
            affirmed, denied = _matches(clause, patterns, idioms)
            if affirmed:
                found.setdefault(kind, []).extend(affirmed)
                if kind is CrisisKind.SUICIDE and sentence_past:
                    told_as_past.extend(affirmed)
                violence_now = violence_now or (kind in VIOLENCE_KINDS and sentence_now)
            negated.extend(denied)
        hints, denied = _matches(clause, (_STOP_WISH, _DIE_OF_WORRY, _HINTS))
        possible.extend(hints)
        negated.extend(denied)
        arranged.extend(_matches(clause, (_ARRANGEMENTS,))[0])
    for kind, present, label in _WHOLE_MESSAGE_SIGNALS:
        if present(normalised):
            found.setdefault(kind, []).append(label)
    _threat_by_others(found)
    _childs_own_words(found, normalised)
    _small_child_hits_parent(found, normalised)
    other_hints = bool(possible)
    past_kind, past = _past_and_over(found, clauses, told_as_past)
    if past_kind in (CrisisKind.SUICIDE, CrisisKind.ACUTE_DANGER):
        possible.extend(
            past
        )  # an attempt or overdose long ago still gets a gentle check-in; safe violence none
    about_the_topic = _only_about_the_topic(found, clauses) or _only_in_a_story(found, normalised)
    for sentence in _SENTENCE_SPLIT.split(normalised):
        if _LETTERS_JUST_IN_CASE.search(sentence):
            found.setdefault(CrisisKind.SUICIDE, []).append(sentence.strip())
        strong_end, weak_end = _GONE_STRONG.findall(sentence), _GONE_WEAK.findall(sentence)
        if strong_end and _BAD_NEWS.search(sentence):
            found.setdefault(CrisisKind.SUICIDE, []).extend(strong_end)
        elif (strong_end or weak_end) and _CONDITION.search(sentence):
            possible.extend(strong_end + weak_end)
    wishes = [hint for hint in possible if _STOP_WISH.fullmatch(hint)]
    if wishes and exhausted:  # "ik kan niet meer, ik wil dat alles stopt"
        found.setdefault(CrisisKind.SUICIDE, []).extend(wishes)
    elif len(set(possible)) + len(set(arranged)) >= 2 and (possible or len(set(arranged)) >= 2):
        # several warning signs together: a rope found, and a letter for the children
        found.setdefault(CrisisKind.SUICIDE, []).extend(possible + arranged)
    if not found:
        return Assessment(
            kind=None,
            negated_signals=tuple(negated),
            possible=CrisisKind.SUICIDE if possible else None,
            possible_signals=tuple(possible),
            harmless_signals=tuple(harmless),
            now_mentioned=now_mentioned,
            past_and_over=bool(past) and not other_hints,
            about_the_topic=about_the_topic and not possible,
        )
    signals = tuple(signal for kind_signals in found.values() for signal in kind_signals)
    imminent = CrisisKind.SUICIDE in found and any(_IMMINENT.search(clause) for clause in clauses)
    if CrisisKind.ACUTE_DANGER in found or imminent or violence_now:
        kind = CrisisKind.ACUTE_DANGER
    else:
        kind = next(kind for kind in CrisisKind if kind in found)
    return Assessment(kind=kind, signals=signals, negated_signals=tuple(negated),
                      harmless_signals=tuple(harmless), now_mentioned=now_mentioned)  # fmt: skip
