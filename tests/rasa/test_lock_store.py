"""The Redis lock store of the production set-up issues and serves tickets one at a time across processes.

Rasa 3.6's `RedisLockStore` reads, changes and writes a lock without a transaction, so replicas that
take messages of one conversation at the same moment can lose each other's tickets. Here eight store
instances (each with its own Redis connection, as eight replicas) issue tickets for one conversation at
once on the real Redis (127.0.0.1:6379); every ticket must be unique and kept, and the lock must be
gone once every ticket is served. Without Redis this fails, never skips.
"""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.assistant.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.redis


def store(prefix: str) -> AtomicRedisLockStore:
    config = EndpointConfig.from_dict(
        {
            "type": "bot.assistant.lock_store.AtomicRedisLockStore",
            "url": "127.0.0.1",
            "port": "6379",
            "db": "3",
            "key_prefix": prefix,
        }
    )
    lock_store = AtomicRedisLockStore(endpoint_config=config)
    lock_store.red.ping()  # fails loudly when Redis is not running
    return lock_store


def test_tickets_issued_at_once_by_several_replicas_are_unique_and_kept() -> None:
    prefix, conversation = f"locktest{uuid.uuid4().hex[:8]}", "one-conversation"
    stores = [store(prefix) for _ in range(8)]
    issued: list[tuple[AtomicRedisLockStore, int]] = []

    def issue_many(lock_store: AtomicRedisLockStore) -> None:
        for _ in range(40):
            issued.append((lock_store, lock_store.issue_ticket(conversation)))

    threads = [threading.Thread(target=issue_many, args=(lock_store,)) for lock_store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [number for _, number in issued]
    assert len(numbers) == 320 and len(set(numbers)) == 320
    lock = stores[0].get_lock(conversation)
    assert lock is not None and [ticket.number for ticket in lock.tickets] == sorted(numbers)
    assert lock.now_serving == min(numbers)

    # Serve them in order, from whichever replica issued each; the lock disappears after the last.
    for lock_store, number in sorted(issued, key=lambda pair: pair[1]):
        assert stores[0].get_lock(conversation).now_serving == number
        lock_store.cleanup(conversation, number)
    assert stores[0].get_lock(conversation) is None


async def test_a_second_replica_waits_until_the_first_has_finished_the_conversation() -> None:
    prefix = f"locktest{uuid.uuid4().hex[:8]}"
    first, second = store(prefix), store(prefix)
    timeline: list[str] = []
    holding = asyncio.Event()

    async def handle(lock_store: AtomicRedisLockStore, name: str, hold: float) -> None:
        async with lock_store.lock("conversation-a", wait_time_in_seconds=0.05):
            timeline.append(f"{name} in")
            holding.set()
            await asyncio.sleep(hold)
            timeline.append(f"{name} out")

    async def later() -> None:
        await holding.wait()
        await handle(second, "second", 0)

    await asyncio.gather(handle(first, "first", 0.5), later())
    assert timeline == ["first in", "first out", "second in", "second out"]
    assert first.get_lock("conversation-a") is None
