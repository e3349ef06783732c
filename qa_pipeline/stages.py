"""The pipeline's spine: one ordered list of stages from a call's source to a scored :class:`CallAnalysis`.

::

    source ──────────────────────────────► redact ─► classify ─► score
    (transcribe: decode → ASR → attribute)   PII      labels      metrics, scorecards, flags

The source stage turns what a call arrives as into a transcribed call
(:func:`qa_pipeline.pipeline.transcribe_recording` is its one dispatch point);
every later stage takes a :class:`CallAnalysis` and returns a new one and
never needs audio.  The nightly run (:func:`qa_pipeline.run.run`, wrapped in
Prefect tasks by ``flows/``), the pipeline benchmark, rescoring and
:func:`qa_pipeline.analysis.analyse` all walk this list; none writes the
order again.  Nothing here touches the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from qa_pipeline.asr.base import Transcriber
from qa_pipeline.audio import DecodedAudio, SpooledAudio
from qa_pipeline.classify.classifier import Classifier
from qa_pipeline.errors import InputError
from qa_pipeline.ingest import Recording
from qa_pipeline.pipeline import PipelineOptions, read_transcript_call, transcribe_recording
from qa_pipeline.records import CallAnalysis, Flag
from qa_pipeline.redact.types import RedactionOptions
from qa_pipeline.runtime import AsrRuntime, fit_runtime, runtime_transcriber
from qa_pipeline.scorecard.engine import score_call_all
from qa_pipeline.scorecard.flags import FlagRules, evaluate_flags, load_flag_rules
from qa_pipeline.scorecard.loader import Scorecard, load_scorecards
from qa_pipeline.scorecard.targeting import applicable_scorecards
from qa_pipeline.transcript_file import is_transcript

logger = logging.getLogger("qa_pipeline.stages")

__all__ = [
    "INPUT_FLAGS",
    "METADATA_MISSING",
    "CallSource",
    "SourceStage",
    "Spine",
    "Stage",
    "classify_stage",
    "redact_stage",
    "score_stage",
    "spine",
    "transcribe_source",
]


@dataclass(frozen=True, eq=False)
class CallSource:
    """What the source stage reads for one call: the recording, and how to transcribe it.

    ``transcriber`` is a loaded model (benchmarks); without one the stage loads
    (once per process) the model ``options`` name, sized by ``runtime`` — so a
    source sent to another process carries no model.
    """

    recording: Recording
    options: PipelineOptions
    runtime: AsrRuntime | None = None
    transcriber: Transcriber | None = None
    audio: DecodedAudio | SpooledAudio | None = None


def transcribe_source(source: CallSource) -> CallAnalysis:
    """The source stage: decode → transcribe → attribute; a recording without speech is bad input."""
    options = source.options
    if is_transcript(source.recording.path):  # a chat or another system's transcript: no model is loaded
        result = read_transcript_call(source.recording, options)
    else:
        transcriber = source.transcriber or runtime_transcriber(
            options.backend, options.model, source.runtime or fit_runtime()
        )
        result = transcribe_recording(source.recording, transcriber, options, source.audio)
    if not result.conversation.utterances:
        # A silent (or noise-only) recording is bad input, not a call to score: report it, store nothing.
        raise InputError(
            f"{source.recording.path}: no speech found in {result.record.duration_s:.1f} s of audio "
            f"({result.record.channels} channel(s)); the recording is silent or noise only — check the recorder's "
            "input and channel mapping",
            path=str(source.recording.path),
            stage="transcribe",
        )
    return CallAnalysis(record=result.record, conversation=result.conversation, timings=dict(result.timings))


def redact_stage(analysis: CallAnalysis, options: RedactionOptions | None = None) -> CallAnalysis:
    """PII redaction with ``options`` (default: every type, nothing raw kept); ``keep_raw`` carries the
    unredacted conversation on to the store (``raw_utterances``)."""
    from qa_pipeline.redact import redact_conversation

    t = time.perf_counter()
    result = redact_conversation(analysis.conversation, options)
    return analysis.timed(
        "redact",
        time.perf_counter() - t,
        conversation=result.conversation,
        redaction_spans=tuple(result.spans),
        redacted=True,
        raw_conversation=result.raw,
    )


def classify_stage(
    analysis: CallAnalysis, classifier: Classifier | None = None, threads: int | None = None
) -> CallAnalysis:
    """Per-utterance sentiment and compliance labels (default: the installed classifier, loaded once, on
    ``threads`` threads — the run gives each call the threads its ASR has, so calls at once do not fight
    over the cores)."""
    from qa_pipeline.classify import load_classifier

    t = time.perf_counter()
    classifier = classifier or (load_classifier(threads=threads) if threads else load_classifier())
    labels, vectors = classifier.classify_conversation_embedded(analysis.conversation)
    return analysis.timed(
        "classify",
        time.perf_counter() - t,
        labels=tuple(labels),
        classifier_version=classifier.version,
        embeddings=vectors,
    )


METADATA_MISSING = "metadata_missing"
# call-level flags about the call's input, not derived from scores: a rescore keeps them
INPUT_FLAGS: tuple[str, ...] = (METADATA_MISSING,)


def score_stage(
    analysis: CallAnalysis,
    scorecards: Sequence[Scorecard] | None = None,
    flag_rules: FlagRules | None = None,
    scorecards_directory: str | None = None,
) -> CallAnalysis:
    """Metrics (unless given: a rescore passes the stored metrics whose inputs are unchanged), one score per
    applicable scorecard (default: the active ones) and flags.

    With the call's metadata (the nightly run, a resumed transcript) only the cards whose ``applies_to``
    matches it, or the default card, score it (:mod:`qa_pipeline.scorecard.targeting`); without it
    (rescoring a stored call with the cards asked for) every card given scores it.  A call whose
    manifest could not be read gets the call-level flag ``metadata_missing``."""
    from qa_pipeline.metrics import compute_metrics

    t = time.perf_counter()
    cards = list(scorecards) if scorecards is not None else load_scorecards(scorecards_directory)
    if analysis.metadata is not None:
        cards = applicable_scorecards(cards, analysis.metadata)
    rules = flag_rules if flag_rules is not None else load_flag_rules(directory=scorecards_directory)
    metrics = analysis.metrics  # given: the stored ones of a rescore, current for this conversation and labels
    if metrics is None:
        metrics = compute_metrics(analysis.conversation, analysis.labels)
    scores = tuple(score_call_all(analysis.conversation, analysis.labels, metrics, cards))
    flags = tuple(evaluate_flags(analysis.conversation, analysis.labels, metrics, scores, rules))
    missing = analysis.metadata.missing_reason if analysis.metadata is not None else None
    if missing:
        flags += (Flag(analysis.conversation.call_id, METADATA_MISSING, "", f"metadata missing: {missing}", "low"),)
    return analysis.timed("score", time.perf_counter() - t, metrics=metrics, scores=scores, flags=flags)


@dataclass(frozen=True)
class SourceStage:
    """The first stage: what a call arrives as, to a transcribed :class:`CallAnalysis`."""

    name: str
    run: Callable[[CallSource], CallAnalysis]


@dataclass(frozen=True)
class Stage:
    """One audio-free stage.  ``transcript``: its output is the transcript that is stored (and
    resumed from) when a later stage fails — the stages after the last such stage are the ones a
    stored transcript is analysed again with."""

    name: str
    run: Callable[[CallAnalysis], CallAnalysis]
    transcript: bool = False


@dataclass(frozen=True)
class Spine:
    """The ordered stages of one run."""

    source: SourceStage
    stages: tuple[Stage, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.source.name, *(s.name for s in self.stages))

    def after(self, name: str) -> Stage | None:
        """The stage that follows ``name`` (None after the last one)."""
        names = self.names
        if name not in names:
            raise KeyError(f"no stage {name!r}; stages: {', '.join(names)}")
        i = names.index(name)
        return self.stages[i] if i < len(self.stages) else None

    def stage(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"no stage {name!r} after the source; stages: {', '.join(self.names)}")

    @property
    def resume_stages(self) -> tuple[Stage, ...]:
        """The stages a stored (already transcribed and redacted) transcript goes through."""
        last = max((i for i, s in enumerate(self.stages) if s.transcript), default=-1)
        return self.stages[last + 1 :]

    def analyse(self, analysis: CallAnalysis, stages: Sequence[Stage] | None = None) -> CallAnalysis:
        """Run ``stages`` (default: every stage after the source) in order, in this thread."""
        for stage in self.stages if stages is None else stages:
            analysis = stage.run(analysis)
        return analysis

    def run(self, source: CallSource) -> CallAnalysis:
        """Every stage, the source included, in this thread."""
        return self.analyse(self.source.run(source))


SOURCE = SourceStage("transcribe", transcribe_source)
REDACT = Stage("redact", redact_stage, transcript=True)
CLASSIFY = Stage("classify", classify_stage)
SCORE = Stage("score", score_stage)


def spine(
    options: PipelineOptions | None = None,
    *,
    scorecards: Sequence[Scorecard] | None = None,
    flag_rules: FlagRules | None = None,
    runtime: AsrRuntime | None = None,
) -> Spine:
    """The stages of a run with ``options``: redaction only when ``options.redact``.

    ``scorecards`` / ``flag_rules`` fix what the score stage uses (default: the
    active scorecards and flag rules, loaded in the process that scores).
    ``runtime``: the classifier runs on as many threads as each call's ASR
    (default: the classifier's own default).
    """
    options = options or PipelineOptions()
    redact, redact_stage_ = options.redact, REDACT
    if options.redaction is not None:
        redact_stage_ = Stage(REDACT.name, partial(redact_stage, options=options.redaction), transcript=True)
    score = SCORE
    if scorecards is not None or flag_rules is not None:
        score = Stage(SCORE.name, partial(score_stage, scorecards=scorecards, flag_rules=flag_rules))
    elif options.scorecards:  # the run's scorecards folder travels with the stage (another process, a worker)
        score = Stage(SCORE.name, partial(score_stage, scorecards_directory=options.scorecards))
    classify = CLASSIFY
    if runtime is not None:
        classify = Stage(CLASSIFY.name, partial(classify_stage, threads=runtime.cpu_threads))
    return Spine(SOURCE, (*((redact_stage_,) if redact else ()), classify, score))
