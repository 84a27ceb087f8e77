"""Chat with the running assistant in the terminal, over Rasa's REST channel.

Usage: python scripts/chat.py [--url http://127.0.0.1:5005]
Type a message; type the number of a button to press it; an empty line or Ctrl-D ends the chat.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

import httpx


def show(replies: list[dict]) -> list[dict]:
    """Print the bot's replies and return the buttons of the last one that has any."""
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print(f"\nVoordeur: {reply['text']}")
        if reply.get("buttons"):
            buttons = reply["buttons"]
            for number, button in enumerate(buttons, start=1):
                print(f"   [{number}] {button['title']}")
    return buttons


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}")
    args = parser.parse_args()
    webhook = f"{args.url.rstrip('/')}/webhooks/rest/webhook"
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    print("Chat met de digitale assistent van het wijkteam. Lege regel of Ctrl-D om te stoppen.")
    buttons: list[dict] = []
    with httpx.Client(timeout=60) as client:
        while True:
            try:
                text = input("\nJij: ").strip()
            except EOFError:
                break
            if not text:
                break
            if text.isdigit() and 1 <= int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]
            try:
                response = client.post(webhook, json={"sender": sender, "message": text})
                response.raise_for_status()
            except httpx.HTTPError as error:
                print(f"De assistent is niet bereikbaar op {args.url} ({error}). Draait 'make start'?")
                return 1
            buttons = show(response.json()) or buttons
    print("Tot ziens!")
    return 0


if __name__ == "__main__":
    sys.exit(main())
