"""The record types the adapters may hold and show: plain values (frozen dataclasses, enums of
words, constant tables) and the typed errors, gathered from where core defines them. No service
lives here: what does something is on the façade (core/app), which hands these records out.

The ui imports core through this module and core/app only (the import-linter contract in
pyproject.toml), so core can rearrange its packages without the window noticing."""

from __future__ import annotations

from assistant_builder.core.assistants.answering import Prepared
from assistant_builder.core.assistants.bundle import SUFFIX as BUNDLE_SUFFIX
from assistant_builder.core.assistants.bundle import BundleProgress, ExportSummary
from assistant_builder.core.assistants.bundle_import import ImportResult
from assistant_builder.core.assistants.check_questions import CheckQuestion, parse_expect
from assistant_builder.core.assistants.choices import PassageChoices, PassageRef
from assistant_builder.core.assistants.collection_removal import CollectionRemoved
from assistant_builder.core.assistants.model import (
    AdapterRef,
    Assistant,
    CollectionRef,
    Example,
    ModelRef,
)
from assistant_builder.core.assistants.presets import (
    CUSTOM,
    SAMPLING_PRESETS,
    STARTING_POINTS,
    SamplingPreset,
    StartingPoint,
)
from assistant_builder.core.assistants.preview import PromptView
from assistant_builder.core.assistants.prompt import Passage
from assistant_builder.core.assistants.session import Loaded, Loading
from assistant_builder.core.assistants.stages import Stage
from assistant_builder.core.assistants.store import Removed
from assistant_builder.core.assistants.thinking import ThinkingDelta
from assistant_builder.core.assistants.turn import Answer
from assistant_builder.core.assistants.variables import DESCRIPTIONS as VARIABLE_DESCRIPTIONS
from assistant_builder.core.assistants.variables import VARIABLE
from assistant_builder.core.cancel import CancelToken
from assistant_builder.core.checks import (
    CheckProgress,
    CheckResult,
    CheckRun,
    RunSummary,
    Suggestion,
)
from assistant_builder.core.citation import Citation, Grounding, RetrievedPassage
from assistant_builder.core.compare.checked import VariantChecked
from assistant_builder.core.compare.drafts import Draft
from assistant_builder.core.compare.plan import MAX_VARIANTS, MIN_VARIANTS, Schedule
from assistant_builder.core.compare.run import (
    AnswerKept,
    Compared,
    Planned,
    Retrieved,
    Variant,
    VariantEvent,
    VariantFailed,
)
from assistant_builder.core.conversations.markdown import FENCE
from assistant_builder.core.conversations.marks import MarkKind
from assistant_builder.core.conversations.store import Conversation, Message
from assistant_builder.core.conversations.store import SearchHit as ConversationHit
from assistant_builder.core.engine.preview import PromptPreview
from assistant_builder.core.engine.prompt import ContextOverflow
from assistant_builder.core.engine.protocol import TextDelta
from assistant_builder.core.engine.sampling import SETTINGS as SAMPLING_SETTINGS
from assistant_builder.core.engine.sampling import SamplingOptions, Setting
from assistant_builder.core.errors import (
    MEMORY,
    WORDS_PER_TOKEN,
    AppError,
    AssistantError,
    BundleError,
    Cancelled,
    CollectionMissing,
    ConversationError,
    DownloadError,
    EngineError,
    InvalidModelFile,
    KnowledgeError,
    ModelError,
    ModelMissing,
    NotIndexed,
    PromptTooLong,
    ServerError,
    SettingsError,
    about_words,
)
from assistant_builder.core.knowledge.collection import (
    DEFAULT_EMBEDDER,
    CollectionConfig,
    CollectionStatus,
)
from assistant_builder.core.knowledge.report import IndexProgress, IndexReport
from assistant_builder.core.knowledge.search import SearchHit
from assistant_builder.core.knowledge.source_text import SourceText
from assistant_builder.core.models.catalog import (
    IMAGES_NOTE,
    WITH_IMAGES,
    CatalogEntry,
    CatalogFile,
)
from assistant_builder.core.models.download import DownloadProgress, OnProgress, PendingDownload
from assistant_builder.core.models.fit import FitEstimate, Machine, ModelShape
from assistant_builder.core.models.gguf_info import GgufInfo
from assistant_builder.core.models.hub import HubFile, HubRepo
from assistant_builder.core.models.recommend import STARTER_WARNING, Recommendation
from assistant_builder.core.models.registry import InstalledModel
from assistant_builder.core.network import NetworkEntry
from assistant_builder.core.servers.catalog import ServerModel, ServerModels
from assistant_builder.core.servers.store import ModelServer
from assistant_builder.core.settings import (
    DATA_FOLDER_HELP,
    GPU_AUTOMATIC,
    GPU_CHOICES,
    GPU_HELP,
    GPU_SOME_LAYERS,
    KV_CACHE_CHOICES,
    KV_CACHE_HELP,
    KV_CACHE_LABELS,
    MAX_GPU_LAYERS,
    THREADS_AUTOMATIC,
    THREADS_HELP,
    Settings,
)

__all__ = [
    "BUNDLE_SUFFIX",
    "CUSTOM",
    "DATA_FOLDER_HELP",
    "DEFAULT_EMBEDDER",
    "FENCE",
    "GPU_AUTOMATIC",
    "GPU_CHOICES",
    "GPU_HELP",
    "GPU_SOME_LAYERS",
    "IMAGES_NOTE",
    "KV_CACHE_CHOICES",
    "KV_CACHE_HELP",
    "KV_CACHE_LABELS",
    "MAX_GPU_LAYERS",
    "MEMORY",
    "SAMPLING_PRESETS",
    "SAMPLING_SETTINGS",
    "STARTER_WARNING",
    "STARTING_POINTS",
    "THREADS_AUTOMATIC",
    "THREADS_HELP",
    "VARIABLE",
    "VARIABLE_DESCRIPTIONS",
    "WITH_IMAGES",
    "WORDS_PER_TOKEN",
    "AdapterRef",
    "Answer",
    "AppError",
    "Assistant",
    "AssistantError",
    "BundleError",
    "BundleProgress",
    "CancelToken",
    "Cancelled",
    "CatalogEntry",
    "CatalogFile",
    "CheckProgress",
    "CheckQuestion",
    "CheckResult",
    "CheckRun",
    "Citation",
    "CollectionConfig",
    "CollectionMissing",
    "CollectionRef",
    "CollectionRemoved",
    "CollectionStatus",
    "ContextOverflow",
    "Conversation",
    "ConversationError",
    "ConversationHit",
    "DownloadError",
    "DownloadProgress",
    "EngineError",
    "Example",
    "ExportSummary",
    "FitEstimate",
    "GgufInfo",
    "Grounding",
    "HubFile",
    "HubRepo",
    "ImportResult",
    "IndexProgress",
    "IndexReport",
    "InstalledModel",
    "InvalidModelFile",
    "KnowledgeError",
    "Loaded",
    "Loading",
    "Machine",
    "MarkKind",
    "Message",
    "ModelError",
    "ModelMissing",
    "ModelRef",
    "ModelShape",
    "NotIndexed",
    "OnProgress",
    "PassageChoices",
    "PassageRef",
    "PendingDownload",
    "Prepared",
    "PromptPreview",
    "PromptTooLong",
    "PromptView",
    "Recommendation",
    "Removed",
    "RetrievedPassage",
    "RunSummary",
    "SamplingOptions",
    "SamplingPreset",
    "SearchHit",
    "Setting",
    "Settings",
    "SettingsError",
    "SourceText",
    "Stage",
    "StartingPoint",
    "Suggestion",
    "TextDelta",
    "ThinkingDelta",
    "about_words",
    "parse_expect",
]

# Model servers and the network log (core/servers/, core/network.py).
__all__ += ["ModelServer", "NetworkEntry", "ServerError", "ServerModel", "ServerModels"]

# Compare (issue 14): its events, variants and drafts.
__all__ += [
    "MAX_VARIANTS",
    "MIN_VARIANTS",
    "AnswerKept",
    "Compared",
    "Draft",
    "Passage",
    "Planned",
    "Retrieved",
    "Schedule",
    "Variant",
    "VariantChecked",
    "VariantEvent",
    "VariantFailed",
]

# Saved prompt states (issue 20 point 3): their disk space and its setting.
from assistant_builder.core.engine.state_cache import StateCacheSize  # noqa: E402
from assistant_builder.core.settings import (  # noqa: E402
    STATE_CACHE_HELP,
    STATE_CACHE_MAX_MB,
)

__all__ += ["STATE_CACHE_HELP", "STATE_CACHE_MAX_MB", "StateCacheSize"]
