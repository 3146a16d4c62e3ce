"""Typed errors of the product. Each carries one plain sentence a person can act on."""

from __future__ import annotations


class AppError(Exception):
    """An error the user should see. ``str(err)`` is one plain sentence saying what to do next."""


class Cancelled(AppError):
    """The user asked to stop; nothing is wrong."""

    def __init__(self, message: str = "Stopped.") -> None:
        super().__init__(message)


class SettingsError(AppError):
    pass


class ModelError(AppError):
    pass


class InvalidModelFile(ModelError):
    pass


class DownloadError(ModelError):
    pass


class EngineError(AppError):
    pass


class KnowledgeError(AppError):
    pass


class AssistantError(AppError):
    pass


class PromptTooLong(AssistantError):
    """The parts of a prompt that are never left out do not fit the assistant's context size."""


class ModelMissing(AssistantError):
    """The model or adapter an assistant uses is not installed."""


class BundleError(AssistantError):
    """A ``.assistant`` file that cannot be imported; nothing was written."""


class ConversationError(AppError):
    pass
