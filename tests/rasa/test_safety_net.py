"""The deterministic safety net on its own: Dutch variations, typos, negations, other kinds."""

from __future__ import annotations

import pytest

from bot.nlp.safety_net import CrisisKind, assess

SUICIDE = [
    "ik wil niet meer leven",
    "Ik zie het echt niet meer zitten.",
    "ik denk aan zelfmoord",
    "ik denk de laatste tijd aan zelfdoding",
    "zelfmoooord",
    "ik wil dood",
    "het hoeft voor mij niet meer",
    "ik heb steeds gedachten over doodgaan",
    "ik wil er een eind aan maken",
    "soms wil ik gewoon niet meer wakker worden",
    "ik ben suïcidaal",
    "mijn zoon zegt dat hij dood wil",
    "ik wil niet dood maar ik zie het echt niet meer zitten",
    "IK WIL NIET MEER LEVEN!!!",
]
ACUTE = [
    "mijn vriendin heeft net een hele strip pillen geslikt",
    "hij slaat me nu",
    "help hij slaat haar nu in de keuken",
    "er staat iemand voor de deur met een mes",
    "mijn moeder is bewusteloos",
    "ik sta nu op de brug",
    "er wordt nu gevochten in de woonkamer",
    "mijn ex bedreigt me op dit moment met een pistool",
    "er is net iemand ons huis binnengedrongen",
    "ik wil niet meer leven, ik ga het nu doen",
]
DOMESTIC = [
    "mijn man slaat me",
    "mijn partner bedreigt me elke dag",
    "ik durf niet naar huis",
    "ik ben bang om naar huis te gaan",
    "mijn buurvrouw wordt mishandeld",
    "ik ben bang voor mijn ex",
    "ik voel me thuis niet veilig",
    "mijn zoon slaat mij als hij boos is",
]
CHILD = [
    "mijn vader slaat mij",
    "mijn stiefvader doet me pijn",
    "de buurkinderen krijgen nooit eten",
    "hij mishandelt de kinderen",
    "mijn kind wordt geslagen door haar vader",
    "mijn kind is niet veilig thuis",
    "het buurmeisje zit onder de blauwe plekken",
    "papa schopt me als hij dronken is",
    "ik vermoed dat er een kind in de straat geslagen wordt",
    "volgens mij worden de kinderen van mijn zus verwaarloosd",
]
SEXUAL = ["ik ben verkracht", "iemand heeft me aangerand in de trein", "hij dwong me tot seks"]
NOT_CRISIS = [
    "ik heb schulden bij de zorgverzekering",
    "de deurwaarder dreigt beslag te leggen",
    "mijn verhuurder dreigt met ontruiming",
    "mijn dochter wordt gepest op school",
    "mijn zoon slaat een ander kind op school, wat moet ik doen",
    "die schulden maken me dood moe",
    "hallo",
    "",
]
NEGATED = [
    "ik wil niet dood, ik wil hulp met mijn schulden",
    "ik denk niet aan zelfmoord hoor, ik heb gewoon schulden",
    "ik heb geen zelfmoordgedachten",
    "ik ben niet suicidaal maar wel erg moe",
    "mijn man slaat me niet, hij is gewoon boos over geld",
]


@pytest.mark.parametrize(
    ("kind", "text"),
    [(CrisisKind.SUICIDE, t) for t in SUICIDE]
    + [(CrisisKind.ACUTE_DANGER, t) for t in ACUTE]
    + [(CrisisKind.DOMESTIC_VIOLENCE, t) for t in DOMESTIC]
    + [(CrisisKind.CHILD_DANGER, t) for t in CHILD]
    + [(CrisisKind.SEXUAL_VIOLENCE, t) for t in SEXUAL],
)
def test_crisis_messages_get_their_kind(kind: CrisisKind, text: str) -> None:
    assert assess(text).kind == kind


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_ordinary_messages_are_not_crisis(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind is None
    assert not assessment.only_negated


@pytest.mark.parametrize("text", NEGATED)
def test_explicit_negations_disarm_the_signal_but_are_noticed(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind is None
    assert assessment.only_negated


def test_a_crisis_in_a_long_message_about_something_else_is_found() -> None:
    text = "Ik heb veel schulden en de huur is te hoog. " * 1000 + "Eigenlijk wil ik niet meer leven."
    assert len(text) > 40_000
    assert assess(text).kind == CrisisKind.SUICIDE


def test_html_and_emoji_do_not_hide_a_signal() -> None:
    assert assess("<b>ik wil dood</b> 😢").kind == CrisisKind.SUICIDE
