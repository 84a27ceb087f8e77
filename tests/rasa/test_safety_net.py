"""The deterministic safety net on its own: Dutch variations, typos, negations, other kinds, English,
indirect signals (issue 19) and the weaker hints that only ask for a check-in."""

from __future__ import annotations

import pytest

from bot.assistant.nlp.safety_net import CrisisKind, assess
from tests.rasa.crisis_phrasings import INDIRECT_CRISIS, POSSIBLE_CRISIS
from tests.rasa.crisis_phrasings import NOT_CRISIS as OUR_CONTRAST

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


# --- Issue 19: indirect signals, self-harm, English, possible signals ---------------------------------


@pytest.mark.parametrize(("intent", "text"), INDIRECT_CRISIS)
def test_indirect_signals_self_harm_and_english_danger_get_their_kind(intent: str, text: str) -> None:
    assert assess(text).kind == CrisisKind(intent)


@pytest.mark.parametrize("text", POSSIBLE_CRISIS)
def test_weaker_hints_are_possible_signals_not_a_crisis(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind is None
    assert assessment.possible == CrisisKind.SUICIDE
    assert assessment.possible_signals


@pytest.mark.parametrize(
    "text",
    [
        # exhaustion alone is a hint; with a wish that everything stops it is a crisis
        "als ze mijn uitkering stoppen dan stop ik ermee",
        "als ik uit huis moet dan ben ik er niet meer, ik weet het niet",
        "wie zorgt voor mijn hond als ik er niet meer ben",
    ],
)
def test_conditional_or_vague_endings_without_bad_news_are_possible(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind == CrisisKind.SUICIDE or assessment.possible == CrisisKind.SUICIDE


def test_a_wish_that_everything_stops_needs_exhaustion_to_be_a_crisis() -> None:
    assert assess("ik wil dat alles stopt").kind is None
    assert assess("ik wil dat alles stopt").possible == CrisisKind.SUICIDE
    assert assess("ik hou het niet meer vol. ik wil dat alles stopt").kind == CrisisKind.SUICIDE


def test_a_conditional_threat_after_bad_news_is_a_crisis_before_it_only_a_hint() -> None:
    assert assess("als de deurwaarder komt dan ben ik er niet meer").kind == CrisisKind.SUICIDE
    assert assess("als je belt ben ik er niet meer, dan ben ik boodschappen doen").kind is None


IDIOMS = [
    "ik ga dood van het lachen",
    "hij heeft een geweer voor de jacht, mag dat in een huurhuis",
    "mijn moeder gaat dood aan kanker, wie helpt met de kosten",
    "ik bewaar mijn medicijnen in de koelkast",
    "ik snij me aan een blad papier",
    "ik kras een kraslot open",
    "my phone is going to die",
    "my son hit my car with his bike",
    "ik ben het zat met de schimmel, voor mij is het klaar met die verhuurder",
    # the crisis words are part of the idiom ("ik ga dood" inside "ik ga dood als ze verliezen")
    "ik ga echt dood als Feyenoord zondag weer verliest",
    "wie won er gisteren? ik ga dood als het die andere club was hahaha",
]


@pytest.mark.parametrize("text", OUR_CONTRAST + IDIOMS)
def test_contrast_phrasings_idioms_and_everyday_words_raise_nothing(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind is None
    assert assessment.possible is None


def test_bruises_explained_by_a_fall_are_harmless_unless_someone_else_explains_them() -> None:
    """The harmless reading vetoes a crisis guess of the model alone (an oma who fell got a check-in)."""
    assert assess("mijn oma is gevallen en heeft blauwe plekken, kan ze thuiszorg krijgen").harmless_signals
    assert assess("mijn moeder heeft blauwe plekken van de val, wie helpt haar").harmless_signals
    assert not assess("haar vriend zegt dat ze gevallen is en heeft blauwe plekken").harmless_signals
    assert assess("het buurmeisje zit onder de blauwe plekken").kind is CrisisKind.CHILD_DANGER


@pytest.mark.parametrize(
    "text",
    [
        "ik doe mezelf geen pijn, ik wil alleen hulp met de huur",
        "my husband doesn't hit me, he just shouts about money",
        "I don't want to die, I need help with my debts",
        "mijn dochter snijdt zichzelf niet, ze is gewoon somber",
        "papa doet me geen pijn",
        "hij heeft me nooit geslagen, hij schreeuwt alleen",
        "ik ben niet misbruikt, maar ik voel me wel onzeker",
    ],
)
def test_negations_disarm_the_new_signals_too(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind is None
    assert assessment.only_negated


def test_self_harm_with_thoughts_of_death_is_the_more_urgent_suicide_kind() -> None:
    assert assess("ik snij mezelf en wil eigenlijk dood").kind == CrisisKind.SUICIDE


def test_english_violence_happening_now_is_acute() -> None:
    assert assess("my husband hits me right now").kind == CrisisKind.ACUTE_DANGER


def test_english_want_does_not_split_the_clause() -> None:
    """Dutch "want" (because) starts a clause; "I don't want to live anymore" is one."""
    assert assess("i don't want to live anymore").kind == CrisisKind.SUICIDE
    assert assess("ik bel niet, want ik wil niet dood").kind is None


def test_an_attempt_long_ago_that_is_over_is_a_possible_signal_and_a_recent_one_a_crisis() -> None:
    over = assess(
        "Twee jaar geleden deed ik een zelfmoordpoging. Inmiddels gaat het beter, ik zoek nu een woning."
    )
    assert over.kind is None and over.possible == CrisisKind.SUICIDE and over.past_and_over
    assert assess("gisteren heb ik een zelfmoordpoging gedaan").kind == CrisisKind.SUICIDE
    again = assess("vijf jaar geleden een zelfmoordpoging, nu gaat het goed, maar ik wil weer dood")
    assert again.kind == CrisisKind.SUICIDE and not again.past_and_over


def test_a_threat_by_others_in_self_harm_words_is_violence_at_home() -> None:
    assessment = assess("mijn ooms zeggen dat ze me iets aandoen als ik niet trouw met hem")
    assert assessment.kind == CrisisKind.DOMESTIC_VIOLENCE
    assert assess("ik ga me iets aandoen").kind == CrisisKind.SUICIDE


def test_now_that_introduces_the_question_does_not_make_violence_acute() -> None:
    assert assess("hij heeft me geslagen. nu wil ik vragen of ik een andere woning kan krijgen").kind == (
        CrisisKind.DOMESTIC_VIOLENCE
    )
    assert assess("hij slaat me nu").kind == CrisisKind.ACUTE_DANGER


@pytest.mark.parametrize(
    "text",
    [
        "Twee jaar terug wilde ik niet meer leven door de schulden. Nu ben ik in behandeling en het gaat "
        "goed. Hoe vraag ik bijzondere bijstand aan?",
        "Last year I wanted to end my life. I'm doing better now and I'm safe now. How do I apply for "
        "debt help?",
        "Vorig jaar dacht ik aan zelfmoord, inmiddels gaat het beter. Ik wil graag een afspraak over "
        "mijn huur.",
    ],
)
def test_a_wish_to_die_told_in_the_past_and_over_is_only_a_check_in(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind is None
    assert assessment.past_and_over and assessment.possible == CrisisKind.SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "vorig jaar wilde ik er een einde aan maken en nu wil ik weer dood",
        "Vorig jaar wilde ik niet meer leven. Het gaat nu beter, maar soms wil ik nog steeds dood",
    ],
)
def test_a_past_wish_that_still_goes_on_is_a_crisis(text: str) -> None:
    assert assess(text).kind == CrisisKind.SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "Drie jaar geleden heb ik een zelfmoordpoging gedaan. Het gaat nu niet goed met me.",
        "Jaren geleden deed ik een zelfmoordpoging, en nu gaat het helemaal niet beter",
        "Vorig jaar wilde ik niet meer leven. Het gaat nog steeds niet goed, hoe vraag ik schuldhulp aan?",
        "A year ago I tried to end my life. I'm not doing well now.",
    ],
)
def test_going_well_turned_around_by_a_negation_is_no_past_that_is_over(text: str) -> None:
    assessment = assess(text)
    assert assessment.kind == CrisisKind.SUICIDE and not assessment.past_and_over


def test_a_past_attempt_with_a_word_between_going_and_well_is_over() -> None:
    over = assess("In 2019 deed ik een zelfmoordpoging. Nu gaat het echt heel goed. Wat is de WSNP?")
    assert over.kind is None and over.past_and_over


def test_a_child_put_out_of_the_house_needs_a_child_s_age_or_word() -> None:
    assert (
        assess("mijn vriendin van 14 is door haar ouders het huis uit gezet").kind == CrisisKind.CHILD_DANGER
    )
    assert assess("mijn zoon van 19 is het huis uit gezet door zijn vader, hij zoekt een kamer").kind is None
    # 16 or 17 and asking where to sleep: the answer about shelter, unless the message says they sleep rough
    assert assess("ik ben 17 en mijn moeder heeft me eruit gezet, waar kan ik vannacht slapen").kind is None
    sleeping_rough = assess("ik ben 17, mijn vader heeft me eruit gegooid en ik slaap nu buiten")
    assert sleeping_rough.kind == CrisisKind.CHILD_DANGER


def test_violence_that_the_resident_says_is_over_settles_and_a_time_of_life_is_not_now() -> None:
    over = assess("Vroeger was er huiselijk geweld bij mijn ouders. Die tijd is gelukkig voorbij.")
    assert over.kind is None and over.past_and_over
    still = assess("er is huiselijk geweld, het is nog lang niet voorbij")
    assert still.kind is CrisisKind.DOMESTIC_VIOLENCE
    # "nu ben ik 20" is a time of life: the violence is not going on now (no 112 first)
    grown_up = assess("bij ons thuis werd ik vaak geslagen, nu ben ik 20 en zoek ik een eigen plek")
    assert grown_up.kind is CrisisKind.DOMESTIC_VIOLENCE
    assert assess("mijn vader slaat me nu").kind is CrisisKind.ACUTE_DANGER


def test_a_professionals_question_about_the_meldcode_is_the_topic_unless_it_is_about_their_own_home() -> None:
    question = assess("Ik werk sinds kort op een basisschool. Wat houdt de meldcode kindermishandeling in?")
    assert question.kind is None and question.about_the_topic
    own = assess("er is huiselijk geweld bij ons thuis, geldt de meldcode ook voor mijn kinderen?")
    assert own.kind is CrisisKind.DOMESTIC_VIOLENCE and not own.about_the_topic


@pytest.mark.parametrize(
    "text",
    [
        "ik ga dood als we het huis verliezen",
        "ik ga dood als we de kinderen verliezen aan jeugdzorg",
        "ik ga dood als we verliezen bij de rechter",
    ],
)
def test_a_threat_conditional_on_bad_news_is_no_supporters_joke(text: str) -> None:
    assert assess(text).kind is CrisisKind.SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "als ik hem om huishoudgeld vraag, knijpt hij me in mijn nek",
        "Elke keer als hij gedronken heeft schopt hij me. Kan ik ergens anders gaan wonen?",
        "vorige week sloeg mijn vriend me omdat het eten koud was",
    ],
)
def test_violence_with_the_verb_before_its_subject_is_violence_at_home(text: str) -> None:
    assert assess(text).kind == CrisisKind.DOMESTIC_VIOLENCE


@pytest.mark.parametrize(
    "text",
    [
        "als ik de huur twee maanden niet betaal schopt hij me eruit, mag dat?",
        "mijn baas slaat me om de oren met regeltjes over thuiswerken",
    ],
)
def test_put_out_of_the_house_or_an_idiom_with_the_verb_first_is_no_violence(text: str) -> None:
    assert assess(text).kind is None


@pytest.mark.parametrize(
    "text",
    [
        "help mijn vader ligt op de grond en wordt niet wakker als ik hem schud",
        "ik krijg oma niet meer wakker en ze is heel koud",
        "my dad doesn't wake up when I call him, there are empty bottles everywhere",
    ],
)
def test_someone_who_does_not_wake_up_when_called_is_acute_danger(text: str) -> None:
    assert assess(text).kind == CrisisKind.ACUTE_DANGER


@pytest.mark.parametrize(
    "text",
    [
        "mijn dochter van 15 wordt niet wakker van haar wekker en komt steeds te laat op school",
        "ik krijg hem 's ochtends niet wakker, hij gamet tot diep in de nacht",
        "I can't wake him up for school in the mornings, is that a reason for youth care?",
    ],
)
def test_a_teenager_who_sleeps_through_the_alarm_is_no_danger(text: str) -> None:
    assert assess(text).kind is None


@pytest.mark.parametrize(
    "text",
    ["Kocam her akşam beni dövüyor, ne yapmalıyım", "Mój partner mnie bije, pomóżcie", "أخي يضربني كل يوم"],
)
def test_being_beaten_in_turkish_polish_or_arabic_is_violence_at_home(text: str) -> None:
    assert assess(text).kind == CrisisKind.DOMESTIC_VIOLENCE


def test_self_harm_as_a_plan_is_self_harm_and_cutting_costs_is_not() -> None:
    assert assess("als de deurwaarder weer belt ga ik vanavond weer krassen").kind == CrisisKind.SELF_HARM
    assert assess("ik ga snijden in mijn uitgaven, hoe maak ik een budget").kind is None
    assert assess("mijn zoon zegt dat hij gaat krassen op de muur als hij geen telefoon krijgt").kind is None


def test_a_partner_who_goes_on_after_no_is_sexual_violence_a_bailiff_is_not() -> None:
    assert assess("mijn man gaat altijd door als ik nee zeg, ook als ik pijn heb").kind == (
        CrisisKind.SEXUAL_VIOLENCE
    )
    assert assess("het incassobureau gaat gewoon door ook als ik nee zeg").kind is None


def test_abuse_long_ago_that_is_over_settles_and_abuse_going_on_does_not() -> None:
    over = assess("Dertig jaar geleden ben ik op internaat misbruikt. Nu gaat het goed. Waar meld ik dat?")
    assert over.kind is None and over.past_and_over
    still = assess("Vorig jaar ben ik verkracht en het gaat helemaal niet goed")
    assert still.kind == CrisisKind.SEXUAL_VIOLENCE


def test_a_wish_to_die_told_in_the_perfect_tense_long_ago_and_over_is_only_a_check_in() -> None:
    over = assess("Vijf jaar geleden heb ik vaak aan zelfmoord gedacht. Nu gaat het goed. Hoe werkt de WSNP?")
    assert over.kind is None and over.past_and_over and over.possible == CrisisKind.SUICIDE
    still = assess("Jaren geleden heb ik aan zelfmoord gedacht en nu denk ik er weer aan")
    assert still.kind == CrisisKind.SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "Mijn zoon leest een boek over een jongen die zichzelf snijdt, is dat geschikt voor zijn leeftijd?",
        "Mijn dochter moet een werkstuk over kindermishandeling maken, waar vindt ze goede informatie?",
        "We zagen een voorstelling over huiselijk geweld op school, geven jullie ook voorlichting?",
        "Ik ben student en doe een interview over zelfdoding bij jongeren, mag ik jullie iets vragen?",
        "Onze school wil een training signalen van kindermishandeling herkennen, kunnen jullie helpen?",
        "Mijn ex dreigt met een advocaat als ik de alimentatie niet aanpas. Mag dat?",
        "Mijn vader heeft mij vroeger geslagen, we hebben al jaren geen contact. Nu wil ik een eigen woning.",
    ],
)
def test_school_work_stories_court_threats_and_violence_long_over_are_no_crisis(text: str) -> None:
    assert assess(text).kind is None


@pytest.mark.parametrize(
    "text",
    [
        "mijn man slaat me en ik wil weten wat de meldcode is",
        "mijn ex dreigt dat hij me iets aandoet als ik naar de rechter stap",
        "mijn ex heeft mij vroeger geslagen, al jaren geen contact, maar nu slaat hij me weer",
        "Mijn dochter snijdt zichzelf, ze las er een boek over",
    ],
)
def test_a_disclosure_next_to_those_words_is_still_a_crisis(text: str) -> None:
    assert assess(text).kind is not None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mijn stiefmoeder heeft mij gisteren geslagen", CrisisKind.CHILD_DANGER),
        ("als hij dronken is schopt mijn vader mijn broertje", CrisisKind.CHILD_DANGER),
        ("als hij gedronken heeft slaat hij mijn moeder", CrisisKind.DOMESTIC_VIOLENCE),
    ],
)
def test_a_parent_in_the_perfect_tense_or_after_a_first_clause_is_found(text: str, kind: CrisisKind) -> None:
    assert assess(text).kind == kind


def test_a_childhood_long_ago_that_is_over_settles_and_a_good_present_is_no_violence_now() -> None:
    over = assess("Mijn moeder heeft mij vroeger vaak geslagen. Nu gaat het goed, ik zoek een huurhuis.")
    assert over.kind is None and over.past_and_over
    assert assess("vroeger was er kindermishandeling bij ons thuis, nu gaat het beter").kind is None
    # a present that goes wrong is still now
    assert assess("hij slaat me en nu gaat het helemaal mis").kind == CrisisKind.ACUTE_DANGER
    assert assess("hij slaat me en nu gaat het niet goed").kind == CrisisKind.ACUTE_DANGER
    # a sibling fight seen by a parent is no crisis
    assert assess("mijn zoon van 5 is jaloers en dan slaat hij mijn dochter").kind is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Er staan drie mannen aan de deur, ze bonken op het raam en roepen dat ze binnenkomen", "acute"),
        ("they keep banging on my door and say they will break in tonight", "acute"),
        ("de deurwaarder klopte hard op de deur en zei dat hij terugkomt met de politie", None),
        ("de bovenburen bonken op de vloer als mijn kinderen spelen", None),
        ("De regen slaat tegen de ramen en het water kan binnenkomen, de verhuurder doet niets", None),
        ("de buurkinderen schoppen tegen onze deur en willen binnenkomen om te spelen", None),
        ("iemand bonkt op de deur en probeert binnen te komen", "acute"),
    ],
)
def test_people_pounding_on_the_door_who_say_they_will_come_in_are_acute_danger(
    text: str, kind: str | None
) -> None:
    assert assess(text).kind == (CrisisKind.ACUTE_DANGER if kind else None)


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        (
            "Mijn zoon van 13 wil morgen afspreken met iemand van "
            "Snapchat, volgens mij is het een man van 40",
            True,
        ),
        ("my daughter is 11 and is going to meet someone from a game chat, he is an adult man", True),
        ("Mijn dochter van 16 heeft online een jongen leren kennen en ze willen afspreken in de stad", False),
        ("Mijn zoon van 14 spreekt zaterdag met een man van 35 af die hij van Discord kent", True),
        ("Mijn dochter van 15 gaat afspreken met een meisje dat ze van Instagram kent", False),
    ],
)
def test_a_child_meeting_an_adult_from_the_internet_is_a_child_in_danger(text: str, danger: bool) -> None:
    assert (assess(text).kind == CrisisKind.CHILD_DANGER) is danger


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Moja sąsiadka codziennie bije swoje dzieci, słychać to przez ścianę", CrisisKind.CHILD_DANGER),
        ("Komşum her gece çocuğunu dövüyor, sesler geliyor", CrisisKind.CHILD_DANGER),
        ("الجار يضرب ابنه كل ليلة", CrisisKind.CHILD_DANGER),
        ("Чоловік б'є мене щовечора", CrisisKind.DOMESTIC_VIOLENCE),
        ("Муж бьет меня, что мне делать", CrisisKind.DOMESTIC_VIOLENCE),
    ],
)
def test_beating_a_child_or_a_partner_in_other_languages_is_found(text: str, kind: CrisisKind) -> None:
    assert assess(text).kind == kind


def test_a_toddler_who_hits_in_a_tantrum_is_upbringing_and_a_partner_who_hits_is_not() -> None:
    assert assess("mijn zoontje van 3 heeft woedebuien en dan slaat hij mij, wat moet ik doen").kind is None
    assert (
        assess("onze peuter krijgt een driftbui als hij zijn zin niet krijgt en dan schopt hij me").kind
        is None
    )
    # an older child or an adult named with the tantrum is still violence at home
    assert (
        assess("mijn zoon van 16 wordt boos als hij zijn zin niet krijgt en dan slaat hij me").kind
        is not None
    )
    assert assess("mijn man krijgt woedebuien en dan slaat hij me, ons kind van 3 ziet het").kind is not None
    assert assess("mijn dochter van vier heeft driftbuien en dan slaat ze mij").kind is None


def test_a_small_child_shouting_it_wants_to_die_in_a_tantrum_is_upbringing_an_older_one_is_not() -> None:
    assert assess("mijn dochter van 4 schreeuwt bij elke driftbui dat ze dood wil, normaal?").kind is None
    assert assess("onze kleuter roept als hij boos is: ik wil dood!").kind is None
    assert (
        assess("mijn dochter van 14 schreeuwt bij elke ruzie dat ze dood wil, is dat normaal?").kind
        == CrisisKind.SUICIDE
    )
    # a word between the child and the age ("mijn zoon een keer") is not an age
    assert assess("mijn zoon een keer zei dat hij dood wil, ik maak me zorgen").kind == CrisisKind.SUICIDE


def test_violence_told_in_the_passive_long_ago_and_now_safe_settles() -> None:
    over = assess(
        "Ik ben jaren geleden geslagen door mijn vorige partner, nu woon ik veilig. Kan ik verhuizen?"
    )
    assert over.kind is None and over.past_and_over
    assert assess("ik ben vorig jaar mishandeld en hij staat nu weer voor de deur").kind is not None


def test_thoughts_that_are_long_gone_and_a_going_well_three_words_away_are_over() -> None:
    gone = assess(
        "Vroeger had ik suïcidale gedachten, die zijn allang weg. Kan ik hulp bij mijn post krijgen?"
    )
    assert gone.kind is None and gone.past_and_over and gone.possible == CrisisKind.SUICIDE
    well = assess(
        "Mijn vriendin deed jaren geleden een zelfmoordpoging. Het gaat nu al jaren goed. Wat is bewind?"
    )
    assert well.kind is None and well.past_and_over
    assert assess("Vroeger had ik suïcidale gedachten en die zijn er nu weer").kind == CrisisKind.SUICIDE


@pytest.mark.parametrize(
    "text",
    [
        "Onze boekenclub leest een roman over zelfbeschadiging, kan er iemand komen vertellen?",
        "I'm a researcher looking at how neighbourhood teams deal with domestic violence, can we talk?",
        "De kinderen worden niet geslagen hoor, maar ze zijn vaak alleen en het huis is vies",
    ],
)
def test_a_reading_club_a_researcher_a_denial_and_a_known_saying_are_no_crisis(text: str) -> None:
    assert assess(text).kind is None


def test_a_denial_next_to_real_harm_and_a_researcher_at_home_are_still_a_crisis() -> None:
    assert assess("de kinderen worden geslagen door hun vader").kind == CrisisKind.CHILD_DANGER
    assert assess("ik ben onderzoeker maar nu gaat het om mij: mijn man slaat me").kind is not None


def test_a_saying_explained_as_a_joke_is_an_everyday_phrase() -> None:
    saying = assess(
        "Mijn opa roept al jaren dat hij er klaar mee is, dat is zijn stopwoordje. Krijgt hij dagbesteding?"
    )
    assert saying.kind is None and saying.harmless_signals
    assert not assess("hij zegt dat hij er klaar mee is en het is geen grapje").harmless_signals


def test_a_negation_in_an_earlier_clause_does_not_disarm_the_violence_after_it() -> None:
    assert assess("als ik zijn eten niet goed maak en dan slaat hij me").kind == CrisisKind.DOMESTIC_VIOLENCE
    assert (
        assess("mijn vriend wordt boos als ik niet opneem want dan slaat hij me").kind
        == CrisisKind.DOMESTIC_VIOLENCE
    )
    assert assess("mijn man slaat me niet, hij schreeuwt alleen").kind is None


@pytest.mark.parametrize(
    "text",
    ["Mój brat grozi mi nożem, jest w mieszkaniu", "Eşim elinde bıçakla kapıda bekliyor", "يقف أمامي بسكين",
     "Він погрожує мені ножем", "Он стоит с ножом у двери"],
)  # fmt: skip
def test_a_knife_in_other_languages_is_acute_danger(text: str) -> None:
    assert assess(text).kind == CrisisKind.ACUTE_DANGER


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Ik denk dat mijn gezin echt beter af is zonder mij", CrisisKind.SUICIDE),
        ("Мій хлопець вчора побив мене і забрав телефон", CrisisKind.DOMESTIC_VIOLENCE),
        ("ابني يجرح نفسه منذ شهر", CrisisKind.SELF_HARM),
        ("Moja córka tnie się żyletką, co robić", CrisisKind.SELF_HARM),
        ("Babam yerde yatıyor, uyandıramıyorum", CrisisKind.ACUTE_DANGER),
        ("mijn buurman dreigt dat hij het portiek in de fik steekt", CrisisKind.ACUTE_DANGER),
        ("ze roepen dat ze me komen neersteken als ik niet betaal", CrisisKind.ACUTE_DANGER),
        ("de trainer van mijn zoon raakt hem aan in de kleedkamer", CrisisKind.CHILD_DANGER),
        ("Sąsiad dotyka jej, kiedy zostaje u niego po szkole", CrisisKind.SEXUAL_VIOLENCE),
    ],
)
def test_set_sixteen_classes_in_other_words(text: str, kind: CrisisKind) -> None:
    assert assess(text).kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "Mijn zoon roept elke week: ik ga dood als ik naar gym moet. Hij schaamt zich. Wat kan school doen?",
        "Welke film over huiselijk geweld raden jullie aan? Ik zag "
        "een docu op Netflix, maar die was Amerikaans",
        "Ik werk als pedagogisch medewerker. Hoe melden wij zorgen over kindermishandeling bij jullie?",
        "Er zit een wespennest in de schuur en de wespen vallen iedereen aan. Wie haalt dat weg?",
        "de buurman raakt haar nooit aan, maar hij kijkt raar naar haar",
        "Mijn vader heeft twee jaar geleden te veel pillen genomen. "
        "Hij is nu al lang stabiel. Wat is bewind?",
    ],
)
def test_set_sixteen_false_alarm_classes_in_other_words_are_no_crisis(text: str) -> None:
    assert assess(text).kind is None


def test_an_overdose_long_ago_is_a_check_in_and_one_going_on_is_acute() -> None:
    over = assess("Vorig jaar heeft mijn dochter pillen geslikt, het gaat nu stabiel. Wat is de wachtrij?")
    assert over.kind is None and over.past_and_over and over.possible == CrisisKind.SUICIDE
    assert assess("mijn dochter heeft net pillen geslikt").kind == CrisisKind.ACUTE_DANGER


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Ik heb besloten om te stoppen met leven, wie regelt dan mijn huur?", CrisisKind.SUICIDE),
        ("de vader van mijn vriendin loopt hier rond met een koevoet en scheldt", CrisisKind.ACUTE_DANGER),
        ("ze zeggen dat ze zijn benen breken als hij morgen niet betaalt", CrisisKind.ACUTE_DANGER),
        ("Ktoś próbuje wyważyć drzwi do mojego mieszkania", CrisisKind.ACUTE_DANGER),
        ("Komşu kapıyı kırmaya çalışıyor, çok korkuyorum", CrisisKind.ACUTE_DANGER),
        ("Mój szef zmusza mnie do seksu, bo inaczej stracę pracę", CrisisKind.SEXUAL_VIOLENCE),
        ("mijn stiefvader grijpt steeds in mijn kruis als mama weg is", CrisisKind.SEXUAL_VIOLENCE),
    ],
)
def test_set_seventeen_classes_in_other_words(text: str, kind: CrisisKind) -> None:
    assert assess(text).kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "Ik wil graag vrijwilligerswerk doen voor mensen na een zelfmoordpoging. Kan dat via jullie?",
        "Mijn zoon zag een film over kindermishandeling en stelt nu veel vragen. Bij ons speelt dat niet.",
    ],
)
def test_set_seventeen_false_alarm_classes_in_other_words_are_no_crisis(text: str) -> None:
    assert assess(text).kind is None


def test_an_unsafe_home_long_ago_settles_and_a_denial_of_violence_is_an_everyday_phrase() -> None:
    over = assess("Afgelopen zomer was het thuis onveilig, nu woon ik ergens anders en alles gaat goed.")
    assert over.kind is None and over.past_and_over
    assert assess("het is thuis onveilig, hij is weer boos").kind == CrisisKind.DOMESTIC_VIOLENCE
    calm = assess("Mijn ex en ik hebben veel ruzie over geld, maar er is nooit geweld geweest.")
    assert calm.kind is None and calm.harmless_signals
    # a denial of the own home does not hide a disclosure elsewhere in the message
    assert assess("Bij ons thuis is het niet leuk, mijn vader slaat mijn moeder").kind is not None


def test_a_partner_s_touch_is_no_crisis_a_touched_child_is_in_danger_and_a_touched_resident_is_abused() -> (
    None
):
    assert assess("ik schrik nog steeds als mijn vriend me aanraakt, kan ik praten met iemand?").kind is None
    assert assess("mijn dochter zegt dat de oppas haar aanraakt").kind == CrisisKind.CHILD_DANGER
    assert assess("ik ben 14 en mijn oom raakt me aan als ik daar slaap").kind == CrisisKind.SEXUAL_VIOLENCE


def test_a_cry_of_pain_heard_through_the_wall_is_violence_at_home() -> None:
    heard = assess(
        "ik hoor de buurvrouw al een kwartier gillen 'hou op, je doet me pijn' en er gaat iets kapot"
    )
    assert heard.kind in (CrisisKind.DOMESTIC_VIOLENCE, CrisisKind.ACUTE_DANGER)
    assert assess("I hear my neighbour screaming you're hurting me").kind is not None
    assert assess("de kinderen spelen tikkertje in de tuin en gillen van plezier").kind is None


def test_someone_with_dementia_missing_now_is_acute_danger_found_again_or_a_lost_card_is_not() -> None:
    missing = assess(
        "mijn vader met alzheimer is sinds vanochtend weg en het regent, we kunnen hem nergens vinden"
    )
    assert missing.kind == CrisisKind.ACUTE_DANGER
    assert (
        assess("my grandmother has dementia and she went missing this afternoon").kind
        == CrisisKind.ACUTE_DANGER
    )
    assert assess("mijn moeder heeft dementie en haar pinpas is weg, hoe blokkeer ik die").kind is None
    found = "mijn man met dementie was gisteren weg, de politie heeft hem gevonden; krijg ik een gps-tracker"
    assert assess(found).kind is None


def test_arms_cut_open_with_a_blade_is_self_harm() -> None:
    assert (
        assess("mijn zoon zit op zijn kamer met een stanleymes en zijn armen zijn opengesneden").kind
        == CrisisKind.SELF_HARM
    )
    assert assess("ik heb mijn armen opengehaald aan de braamstruiken in de tuin").kind is None


def test_standing_on_a_height_thinking_of_jumping_or_everyone_better_off_is_suicide() -> None:
    assert assess("ik zit op de rand van de parkeergarage en ik wil springen").kind is not None
    assert assess("het is voor iedereen beter als ik er niet meer ben").kind == CrisisKind.SUICIDE
    assert assess("ik sta op het balkon en zie de kinderen springen op de trampoline").kind is None


def test_a_knife_in_the_back_is_betrayal_and_a_council_or_a_student_asks_about_the_topic() -> None:
    assert assess("mijn broer heeft me een mes in de rug gestoken met die lening op mijn naam").kind is None
    council = assess(
        "namens de clientenraad: wat doen jullie als iemand in de chat schrijft over zelfdoding?"
    )
    assert council.kind is None and council.about_the_topic
    student = assess("ik ben derdejaars student en voor een opdracht zoek ik info over huiselijk geweld")
    assert student.kind is None and student.about_the_topic
    assert assess("ik ben student en mijn vriend slaat me").kind is not None


@pytest.mark.parametrize(
    "text",
    [
        "اغتصبني صديق أخي في الحفلة",
        "geçen hafta bana tecavüz etti",
        "zostałam zgwałcona przez sąsiada",
        "меня изнасиловал знакомый",
        "мене зґвалтували минулої ночі",
        "me violaron en una fiesta",
    ],
)
def test_rape_in_other_languages_is_sexual_violence(text: str) -> None:
    assert assess(text).kind == CrisisKind.SEXUAL_VIOLENCE


def test_a_contract_violation_in_spanish_is_no_crisis_and_a_child_beaten_in_turkish_is() -> None:
    assert assess("el casero dice que es una violación del contrato").kind is None
    assert assess("karşı komşunun kızı her akşam dövülüyor").kind == CrisisKind.CHILD_DANGER


def test_a_signal_inside_a_story_the_resident_read_is_no_crisis_one_about_their_own_life_is() -> None:
    story = assess(
        "we lezen op school een boek over een jongen die thuis mishandeld wordt, hebben jullie een folder?"
    )
    assert story.kind is None and story.about_the_topic
    assert (
        assess("ik zag een film over huiselijk geweld en toen besefte ik dat hij mij ook slaat").kind
        is not None
    )
    assert (
        assess("ik las een boek over een vrouw die geslagen wordt, mijn man slaat mij ook").kind is not None
    )


def test_violence_in_subordinate_word_order_is_found_slamming_doors_or_kicking_out_is_not() -> None:
    assert assess("niemand gelooft dat hij me slaat").kind == CrisisKind.DOMESTIC_VIOLENCE
    assert assess("ik vind het erg dat ze me altijd schopt als ze boos is").kind is not None
    assert assess("de huisbaas zegt dat hij me eruit trapt").kind is None
    assert assess("mijn puber zegt dat ze me haat en slaat de deuren dicht").kind is None


def test_violence_years_ago_by_an_ex_with_a_safe_present_is_over_with_him_at_the_door_it_is_not() -> None:
    over = assess("mijn ex-vriend heeft me jaren geleden mishandeld, dat is voorbij en ik woon nu veilig")
    assert over.kind is None and over.past_and_over
    jailed = assess(
        "mijn ex heeft me jaren geleden geslagen. hij zit inmiddels vast en ik woon ergens anders"
    )
    assert jailed.kind is None and jailed.past_and_over
    assert (
        assess("mijn ex heeft me jaren geleden mishandeld en nu staat hij weer voor de deur").kind is not None
    )


def test_a_professional_asking_about_a_client_is_about_the_topic_their_own_home_is_not() -> None:
    asked = assess("ik ben wijkverpleegkundige: waar verwijs ik een client met huiselijk geweld naar door?")
    assert asked.kind is None and asked.about_the_topic
    assert assess("ik ben leerkracht en mijn man slaat me").kind == CrisisKind.DOMESTIC_VIOLENCE


def test_beating_in_somali_a_child_named_a_clause_before_the_verb() -> None:
    child = assess("gabadhayda oo 7 jir ah, ninkeeda hooyadeed ayaa garaaca habeen walba")
    assert child.kind == CrisisKind.CHILD_DANGER
    assert assess("ninkaygu wuu i garaacaa").kind == CrisisKind.DOMESTIC_VIOLENCE
    assert assess("wiilkaygu dugsiga ma tago, maxaan sameeyaa").kind is None
