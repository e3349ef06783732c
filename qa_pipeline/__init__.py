"""qa-pipeline: score every contact-centre call.

The public API is small; everything else lives in submodules.
"""

from qa_pipeline.conversation import Conversation, Utterance, Word, merge_parties
from qa_pipeline.errors import QAPipelineError

__version__ = "0.1.0"

__all__ = ["Conversation", "QAPipelineError", "Utterance", "Word", "__version__", "merge_parties"]
