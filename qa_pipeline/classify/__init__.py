"""Per-utterance sentiment and compliance labels.

``load_classifier()`` gives the process-wide :class:`Classifier`;
``Classifier.classify(texts)`` and ``Classifier.classify_conversation(conv)``
return :class:`UtteranceLabels`.  ``qa-pipeline train`` rebuilds the heads
from ``models/training``; see docs/classifiers.md.
"""

from qa_pipeline.classify.classifier import Classifier, Explanation, clear_classifier_cache, load_classifier
from qa_pipeline.classify.result import LABELS, SENTIMENTS, UtteranceLabels

__all__ = [
    "LABELS",
    "SENTIMENTS",
    "Classifier",
    "Explanation",
    "UtteranceLabels",
    "clear_classifier_cache",
    "load_classifier",
]
