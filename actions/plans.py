"""Stappenplannen: walk a self-help plan one step at a time (content/plans/*.yml).

The plan and the step live in slots, so the resident can stop, ask something else and come back
with "waar was ik?". After the last step the assistant asks "Heeft dit geholpen?" with Ja and Nee naming
the plan (actions/feedback.py; a typed "nee" leads to the offer of a person, see actions/handover.py)
and offers a callback or a spreekuur.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient
from actions.content import ContentStore, Plan, content_store, plan_start_payload
from actions.feedback import answer_report, count_shown, feedback_buttons, may_ask
from actions.glossary import FirstUse
from actions.municipality import ask_once, municipality_of
from actions.session import conversation_channel
from bot.assistant.settings import rasa_side_settings

NAVIGATION = [
    {"title": "Volgende stap", "payload": "/stappenplan_volgende"},
    {"title": "Vorige stap", "payload": "/stappenplan_vorige"},
    {"title": "Stoppen", "payload": "/stappenplan_stoppen"},
    {"title": "Iemand spreken", "payload": "/request_human"},
]
# The end of a plan asks whether it helped (actions/feedback.py): Ja and Nee name the plan
# (`plan:<id>`); a typed "nee" leads to the offer of a person (actions/handover.py).
CLOSING_OFFER = [
    {"title": "Terugbelverzoek", "payload": "/request_callback"},
    {"title": "Spreekuur", "payload": "/book_spreekuur"},
]
#: Ja and Nee when the feedback question is out of place this turn (actions/feedback.py `may_ask`).
PLAIN_VERDICT = [
    {"title": "Ja, het hielp", "payload": "/affirm"},
    {"title": "Nee, ik wil hulp", "payload": "/deny"},
]


def plan_answer_id(plan_id: str) -> str:
    """How feedback names a stappenplan."""
    return f"plan:{plan_id}"


MESSAGES = {
    "je": {
        "step": "Stap {number} van {total}:\n{text}",
        "done": "Je bent klaar met dit stappenplan. Goed gedaan!\n\nHeeft dit geholpen? "
        "Zo niet, dan kan iemand van het wijkteam met je meekijken.",
        "first": "Dit is de eerste stap.",
        "stopped": "Je bent gestopt bij stap {number} van '{title}'. "
        "Typ 'waar was ik' als je verder wilt gaan.",
        "nothing": "Je bent nu niet bezig met een stappenplan. Waar kan ik je mee helpen?",
        "unknown": "Dat stappenplan ken ik niet. Kies een onderwerp, dan help ik je verder.",
        "choose": "Met welk stappenplan wil je beginnen?",
    },
    "u": {
        "step": "Stap {number} van {total}:\n{text}",
        "done": "U bent klaar met dit stappenplan. Goed gedaan!\n\nHeeft dit geholpen? "
        "Zo niet, dan kan iemand van het wijkteam met u meekijken.",
        "first": "Dit is de eerste stap.",
        "stopped": "U bent gestopt bij stap {number} van '{title}'. "
        "Typ 'waar was ik' als u verder wilt gaan.",
        "nothing": "U bent nu niet bezig met een stappenplan. Waar kan ik u mee helpen?",
        "unknown": "Dat stappenplan ken ik niet. Kies een onderwerp, dan help ik u verder.",
        "choose": "Met welk stappenplan wilt u beginnen?",
    },
}
TOPIC_BUTTONS = [
    {"title": "Geldzorgen", "payload": "/schulden_algemeen"},
    {"title": "Wonen", "payload": "/huisvesting_algemeen"},
    {"title": "Opvoeden en jeugd", "payload": "/jeugdhulp_algemeen"},
]


@dataclass(frozen=True)
class PlanTurn:
    """Everything one stappenplan action works with in this turn."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    store: ContentStore
    form: str
    plan: Plan | None
    step: int
    first_use: FirstUse  # explains jargon the first time (actions/glossary.py)
    municipality: str | None = None  # the resident's (local values in the texts)

    def text(self, texts: dict[str, str]) -> str:
        return self.store.text(texts, self.form, municipality=self.municipality)


class PlanAction(Action, ABC):
    """Shared behaviour: read the plan state from slots, show a step, store the new state.

    Abstract, so that rasa-sdk's executor registers only the concrete actions below. Actions that
    move through a plan (`needs_active_plan`) explain kindly when no plan is active.
    """

    needs_active_plan = True

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        store = content_store(settings.content_dir)
        form = settings.address_form
        plan = store.plans.get(tracker.get_slot("plan_id") or "")
        if plan is None and self.needs_active_plan:
            return self.nothing_active(dispatcher, form)
        step = int(tracker.get_slot("plan_step") or 0)
        turn = PlanTurn(
            dispatcher,
            tracker,
            store,
            form,
            plan,
            step,
            FirstUse(tracker, settings),
            municipality_of(tracker, settings),
        )
        events = self.act(turn)
        return await events if inspect.isawaitable(events) else events

    @abstractmethod
    def act(self, turn: PlanTurn) -> list[EventType] | Awaitable[list[EventType]]: ...

    @staticmethod
    def show_step(turn: PlanTurn, plan: Plan, step: int) -> list[EventType]:
        text = MESSAGES[turn.form]["step"].format(
            number=step + 1, total=len(plan.steps), text=turn.text(plan.steps[step])
        )
        turn.dispatcher.utter_message(text=turn.first_use.annotate(text), buttons=NAVIGATION)
        events: list[EventType] = [SlotSet("plan_id", plan.id), SlotSet("plan_step", float(step))]
        if turn.tracker.get_slot("plan_feedback_pending"):
            events.append(SlotSet("plan_feedback_pending", None))
        return events + turn.first_use.events()

    @staticmethod
    def offer_plans(
        dispatcher: CollectingDispatcher, store: ContentStore, form: str, topic: str | None
    ) -> list[EventType]:
        """Lists the plans of the current topic (or all plans) as buttons."""
        plans = [plan for plan in store.plans.values() if topic in (None, plan.topic)] or list(
            store.plans.values()
        )
        buttons = [
            {"title": store.text(plan.title, form), "payload": plan_start_payload(plan.id)} for plan in plans
        ]
        dispatcher.utter_message(text=MESSAGES[form]["choose"], buttons=buttons)
        return []

    @staticmethod
    def nothing_active(dispatcher: CollectingDispatcher, form: str) -> list[EventType]:
        dispatcher.utter_message(text=MESSAGES[form]["nothing"], buttons=TOPIC_BUTTONS)
        return []


class ActionPlanStart(PlanAction):
    """Starts the plan named by the `plan_id` entity (from a button) at its first step."""

    needs_active_plan = False

    def name(self) -> str:
        return "action_plan_start"

    async def act(self, turn: PlanTurn) -> list[EventType]:
        requested = next(turn.tracker.get_latest_entity_values("plan_id"), None)
        if requested is None:
            return self.offer_plans(turn.dispatcher, turn.store, turn.form, turn.tracker.get_slot("topic"))
        plan = turn.store.plans.get(requested)
        if plan is None:
            turn.dispatcher.utter_message(text=MESSAGES[turn.form]["unknown"], buttons=TOPIC_BUTTONS)
            return [SlotSet("plan_id", None), SlotSet("plan_step", None)]
        # A plan whose texts name local values is the resident's municipality's: ask it once first
        # (the pipeline runs this action again with the answer).
        texts = [plan.intro, *plan.steps]
        if any(turn.store.uses_local_values(text) for text in texts):
            asked = await ask_once(turn.dispatcher, turn.tracker, rasa_side_settings(), self.name())
            if asked is not None:
                return asked
        turn.dispatcher.utter_message(text=turn.first_use.annotate(turn.text(plan.intro)))
        BackendClient.from_settings().note_conversation_soon(
            turn.tracker.sender_id,
            conversation_channel(turn.tracker),
            plan.topic,
            municipality=turn.municipality,
        )
        return self.show_step(turn, plan, 0)


class ActionPlanNext(PlanAction):
    """Shows the next step, or closes the plan with an offer of a callback or a spreekuur."""

    def name(self) -> str:
        return "action_plan_next"

    def act(self, turn: PlanTurn) -> list[EventType]:
        assert turn.plan is not None
        if turn.step + 1 < len(turn.plan.steps):
            return self.show_step(turn, turn.plan, turn.step + 1)
        answer_id = plan_answer_id(turn.plan.id)
        settings = rasa_side_settings()
        verdict = feedback_buttons(answer_id) if may_ask(turn.tracker) else PLAIN_VERDICT
        turn.dispatcher.utter_message(text=MESSAGES[turn.form]["done"], buttons=[*verdict, *CLOSING_OFFER])
        count_shown(turn.tracker, settings, answer_id)
        return [
            SlotSet("plan_id", None),
            SlotSet("plan_step", None),
            SlotSet("plan_finished", turn.plan.id),
            SlotSet("plan_feedback_pending", True),
        ]


class ActionPlanPrevious(PlanAction):
    """Shows the previous step (or says this is the first)."""

    def name(self) -> str:
        return "action_plan_previous"

    def act(self, turn: PlanTurn) -> list[EventType]:
        assert turn.plan is not None
        if turn.step == 0:
            turn.dispatcher.utter_message(text=MESSAGES[turn.form]["first"])
        return self.show_step(turn, turn.plan, max(turn.step - 1, 0))


class ActionPlanStop(PlanAction):
    """Pauses the plan: the slots keep the place, so "waar was ik?" can resume it."""

    def name(self) -> str:
        return "action_plan_stop"

    def act(self, turn: PlanTurn) -> list[EventType]:
        assert turn.plan is not None
        title = turn.store.text(turn.plan.title, turn.form)
        text = MESSAGES[turn.form]["stopped"].format(number=turn.step + 1, title=title)
        turn.dispatcher.utter_message(text=text, buttons=TOPIC_BUTTONS)
        return []


class ActionPlanResume(PlanAction):
    """Shows the step where the resident left off."""

    def name(self) -> str:
        return "action_plan_resume"

    def act(self, turn: PlanTurn) -> list[EventType]:
        assert turn.plan is not None
        return self.show_step(turn, turn.plan, min(turn.step, len(turn.plan.steps) - 1))


class ActionPlanHelped(Action):
    """Answers "ja" to "did the stappenplan help?": glad to hear it, ready for another question."""

    def name(self) -> str:
        return "action_plan_helped"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_plan_helped")
        await record_typed_verdict(tracker, helped=True)
        return [SlotSet("plan_feedback_pending", None)]


async def record_typed_verdict(tracker: Tracker, *, helped: bool) -> None:
    """A typed "ja" or "nee" to the end of a stappenplan counts as its feedback too (best effort)."""
    plan_id = tracker.get_slot("plan_finished")
    if not isinstance(plan_id, str) or not plan_id:
        return
    settings = rasa_side_settings()
    report = answer_report(tracker, settings, plan_answer_id(plan_id))
    await BackendClient.from_settings(settings).answer_verdict(tracker.sender_id, report, helped=helped)
