"""Build the Dutch spaCy pipeline that Rasa's SpacyNLP loads from `var/spacy_nl`.

Usage:
    python -m bot.assistant.nlp.pipeline build [TARGET_DIR]   # (re)build when missing or outdated
    python -m bot.assistant.nlp.pipeline describe [TARGET_DIR]

`nl_core_news_sm` is used when it is installed. Otherwise we fall back, visibly, to a blank Dutch
pipeline with the lookup lemmatizer from spacy-lookups-data (schulden -> schuld). Rasa's config.yml
always points at the same directory, so switching pipelines needs no config change (but a retrain).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_TARGET = PROJECT_ROOT / "var" / "spacy_nl"
PREFERRED_MODEL = "nl_core_news_sm"
MARKER_FILE = "voordeur-pipeline.json"
FALLBACK_KIND = "blank-nl-lookup-lemmas"


@dataclass(frozen=True)
class PipelineInfo:
    """What was saved, so the start-up log and the training fingerprint can tell."""

    kind: str
    spacy_version: str
    source_version: str

    def describe(self) -> str:
        if self.kind == PREFERRED_MODEL:
            return (
                f"spaCy pipeline in use: {PREFERRED_MODEL} {self.source_version} (spaCy {self.spacy_version})"
            )
        return (
            f"spaCy pipeline in use: blank Dutch + lookup lemmatizer (spacy-lookups-data "
            f"{self.source_version}, spaCy {self.spacy_version}); {PREFERRED_MODEL} is not installed"
        )


def preferred_model_installed() -> bool:
    import spacy.util

    return spacy.util.is_package(PREFERRED_MODEL)


def _load_preferred():  # type: ignore[no-untyped-def]
    import spacy

    nlp = spacy.load(PREFERRED_MODEL)
    return nlp, nlp.meta.get("version", "?")


def _blank_dutch_with_lookup_lemmas():  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup table from spacy-lookups-data into the pipeline
    return nlp, version("spacy-lookups-data")


def wanted_kind() -> str:
    return PREFERRED_MODEL if preferred_model_installed() else FALLBACK_KIND


def read_info(target: Path = DEFAULT_TARGET) -> PipelineInfo | None:
    marker = target / MARKER_FILE
    if not marker.exists():
        return None
    return PipelineInfo(**json.loads(marker.read_text()))


def build(target: Path = DEFAULT_TARGET, force: bool = False) -> PipelineInfo:
    """Save the best available Dutch pipeline to `target`, unless the right one is already there."""
    import spacy

    existing = read_info(target)
    kind = wanted_kind()
    if existing and existing.kind == kind and existing.spacy_version == spacy.__version__ and not force:
        return existing
    nlp, source_version = _load_preferred() if kind == PREFERRED_MODEL else _blank_dutch_with_lookup_lemmas()
    nlp.meta["name"] = "voordeur_nl"
    target.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    info = PipelineInfo(kind=kind, spacy_version=spacy.__version__, source_version=source_version)
    (target / MARKER_FILE).write_text(json.dumps(asdict(info), indent=2) + "\n")
    return info


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "describe"
    target = Path(argv[1]).resolve() if len(argv) > 1 else DEFAULT_TARGET
    if command == "build":
        print(build(target).describe())
        return 0
    if command == "describe":
        info = read_info(target)
        missing = f"no spaCy pipeline at {target}; run: python -m bot.assistant.nlp.pipeline build"
        print(info.describe() if info else missing)
        return 0 if info else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
