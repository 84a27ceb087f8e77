"""bot/assistant/nlp: the Dutch spaCy pipeline that SpacyNLP loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from bot.assistant.nlp import pipeline


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.PipelineInfo]:
    target = tmp_path_factory.mktemp("spacy") / "nl"
    return target, pipeline.build(target)


def test_builds_the_best_available_pipeline_and_says_which(built: tuple[Path, pipeline.PipelineInfo]) -> None:
    target, info = built
    assert info.kind == pipeline.wanted_kind()
    assert pipeline.read_info(target) == info
    if info.kind == pipeline.FALLBACK_KIND:
        assert "nl_core_news_sm is not installed" in info.describe()
    else:
        assert pipeline.PREFERRED_MODEL in info.describe()


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("schulden", "schuld"),
        ("deurwaarders", "deurwaarder"),
        ("rekeningen", "rekening"),
        ("aanmaningen", "aanmaning"),
        ("toeslagen", "toeslag"),
    ],
)
def test_saved_pipeline_gives_dutch_lemmas(
    built: tuple[Path, pipeline.PipelineInfo], word: str, lemma: str
) -> None:
    target, _ = built
    nlp = spacy.load(target)
    assert nlp.lang == "nl"
    assert [token.lemma_ for token in nlp(f"ik heb {word}")][-1] == lemma


def test_rebuild_is_skipped_when_the_right_pipeline_is_there(
    built: tuple[Path, pipeline.PipelineInfo],
) -> None:
    target, info = built
    marker = target / pipeline.MARKER_FILE
    before = marker.stat().st_mtime_ns
    assert pipeline.build(target) == info
    assert marker.stat().st_mtime_ns == before


def test_the_project_pipeline_is_the_one_in_config() -> None:
    config = (pipeline.PROJECT_ROOT / "config.yml").read_text()
    relative = pipeline.DEFAULT_TARGET.relative_to(pipeline.PROJECT_ROOT)
    assert f"model: {relative}" in config
