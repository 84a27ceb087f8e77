"""The widget's socket.io channel for several Rasa replicas, which share python-socketio's Redis manager.

A resident's socket is held by one replica. A staff reply is posted to the Rasa HTTP API
(`/conversations/{id}/tracker/events?output_channel=latest`), which the load balancer may send to
another replica. With a Redis URL configured, every replica's socket.io server uses
`socketio.AsyncRedisManager` as its client manager: an emit to the conversation's room is published on
Redis and each replica delivers it to the sockets it holds. Without a URL the channel behaves exactly
like `bot.assistant.channels.web_channels.SocketIOInput` (one process, no manager).

Usage (credentials.yml; the channel keeps the name "socketio")::

    bot.assistant.channels.socketio_cluster.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

The Redis URL comes from `redis_url` in that block, else from the environment variable
SOCKETIO_REDIS_URL (e.g. redis://127.0.0.1:6379/0); SOCKETIO_REDIS_CHANNEL names the pub/sub channel
(default "voordeur-socketio"; every replica of one deployment must use the same one). The manager
pickles its messages: Redis must be reachable only by the deployment's own processes.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from bot.assistant.channels.message_pipeline import OnNewMessage
from bot.assistant.channels.web_channels import SocketIOInput as PipelineSocketIOInput

logger = logging.getLogger(__name__)

REDIS_URL_VARIABLE = "SOCKETIO_REDIS_URL"
REDIS_CHANNEL_VARIABLE = "SOCKETIO_REDIS_CHANNEL"
DEFAULT_REDIS_CHANNEL = "voordeur-socketio"


def use_client_manager(server: AsyncServer, manager: Any) -> None:
    """Give a socket.io server that has not served a client yet another client manager.

    Does what `AsyncServer(client_manager=manager)` does in python-socketio 5.x: the manager is told
    its server and is initialised when the first client connects (or at `start_listening`).
    """
    server.manager = manager
    manager.set_server(server)
    server.manager_initialized = False


def start_listening(server: AsyncServer) -> None:
    """Initialise the manager now (inside the running loop), so this replica receives emits at once."""
    if not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


class SocketIOInput(PipelineSocketIOInput):
    """Rasa's socket.io channel with the message pipeline; its rooms shared over Redis if configured."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        credentials = dict(credentials or {})
        redis_url = credentials.pop("redis_url", None) or os.environ.get(REDIS_URL_VARIABLE, "")
        redis_channel = credentials.pop("redis_channel", None) or os.environ.get(
            REDIS_CHANNEL_VARIABLE, DEFAULT_REDIS_CHANNEL
        )
        channel = super().from_credentials(credentials)
        assert isinstance(channel, cls)
        channel.redis_url = redis_url.strip()
        channel.redis_channel = redis_channel.strip() or DEFAULT_REDIS_CHANNEL
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis_url = ""
        self.redis_channel = DEFAULT_REDIS_CHANNEL

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        if not self.redis_url:
            return blueprint
        assert self.sio is not None  # Rasa's blueprint() has just created the server
        use_client_manager(self.sio, AsyncRedisManager(self.redis_url, channel=self.redis_channel))
        server = self.sio

        async def listen_on_redis(app: Any, loop: Any) -> None:
            """Subscribe to the shared channel when the server starts, not at the first client."""
            start_listening(server)

        blueprint.listener("after_server_start")(listen_on_redis)
        logger.info("socket.io shares its rooms over Redis (channel %s)", self.redis_channel)
        return blueprint
