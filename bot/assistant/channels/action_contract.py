"""The names the message pipeline of the resident channels and the custom actions share.

Standard library only: the action server imports this module too, without the channels.

Channel to actions, in each message's metadata (bot/assistant/channels/message_pipeline.py):

- `CHANNEL_METADATA_KEY`: the channel's name, so that actions/session.py knows the channel at session
  start, before Rasa has logged the message that started the session.
- `CLIENT_METADATA_KEY`: the keyed hash of the client's address (bot/assistant/channels/client_limits.py),
  which actions/handover.py passes on for the backend's limit per client.

Action to channel, as an event the tracker store keeps:

- `DELETE_REQUESTED_SLOT`: `action_delete_my_data` (actions/privacy.py) sets this slot to true once it has
  told the resident what is deleted. After that turn the pipeline deletes the conversation.
- `FEEDBACK_REMARK_FOR_SLOT`: `action_feedback` (actions/feedback.py) sets it to the answer's id when "Nee"
  asked "Wat miste je?" (`MISSING_QUESTIONS`); the pipeline reads the next typed message as the remark
  (bot/assistant/channels/feedback_step.py) and runs `FEEDBACK_REMARK_ACTION`.
"""

from __future__ import annotations

CHANNEL_METADATA_KEY = "voordeur_channel"
CLIENT_METADATA_KEY = "voordeur_client"
DELETE_REQUESTED_SLOT = "delete_requested"
FEEDBACK_REMARK_FOR_SLOT = "feedback_remark_for"
FEEDBACK_REMARK_ACTION = "action_feedback_remark"
#: How the question "Wat miste je?" reads in each form of address.
MISSING_QUESTIONS = ("Wat miste je?", "Wat miste u?")
