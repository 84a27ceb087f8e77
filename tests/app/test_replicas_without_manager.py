"""The negative control of the staff-reply test in test_replicas.py: without python-socketio's Redis
manager, a staff reply posted to one replica does not reach a widget socket held by the other.

The same `make start-replicas` stack with `SOCKETIO_REDIS_URL` set empty (each replica's socket.io server
on its own). It shows that the Redis manager is what carries the reply across replicas, and that the
probe in test_replicas.py can fail. In its own module, so that it runs after that stack has stopped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from replicas import replicas_stack, staff_reply_reaches, throwaway_names
from stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    alone = {"SOCKETIO_REDIS_URL": ""}  # each replica's socket.io server on its own
    yield from replicas_stack(tmp_path_factory.mktemp("replicas-alone"), throwaway_names(), alone)


def test_without_the_redis_manager_a_staff_reply_to_the_other_replica_is_lost(stack: Stack) -> None:
    socket_replica, api_replica = stack.rasa_urls
    assert not staff_reply_reaches(socket_replica, api_replica, wait=20)
    # The same probe on the replica that holds the socket: the reply arrives, so the loss above is the
    # missing manager, not the probe.
    assert staff_reply_reaches(socket_replica, socket_replica, wait=60)
