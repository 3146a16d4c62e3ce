"""Typed errors of the product. Each carries one plain sentence a person can act on."""

from __future__ import annotations


class AppError(Exception):
    """An error the user should see. ``str(err)`` is one plain sentence saying what to do next,
    in words that read well in the app and on the command line alike (never a command).

    ``command``: the command-line words that do it (``collections index Manuals``); the command
    line shows them after the sentence, the app offers a button of its own instead."""

    def __init__(self, *args: object, command: str = "") -> None:
        super().__init__(*args)
        self.command = command


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


class NotIndexed(KnowledgeError):
    """A collection whose index holds nothing yet (never indexed, or every file failed)."""

    def __init__(self, collection: str) -> None:
        super().__init__(
            f"The collection “{collection}” has nothing indexed yet; index it first.",
            command=f"collections index {collection}",
        )
        self.collection = collection

    def __reduce__(self) -> tuple[type[NotIndexed], tuple[str]]:  # crosses process pipes
        return type(self), (self.collection,)


class AssistantError(AppError):
    pass


class CollectionMissing(AssistantError):
    """An assistant reads a collection that no longer exists (removed, or its folder deleted)."""

    def __init__(self, assistant: str, collection: str) -> None:
        super().__init__(
            f"“{assistant}” reads the collection “{collection}”, which no longer exists; "
            "edit the assistant's documents, or create the collection again."
        )
        self.assistant = assistant
        self.collection = collection

    def __reduce__(self) -> tuple[type[CollectionMissing], tuple[str, str]]:
        return type(self), (self.assistant, self.collection)


class PromptTooLong(AssistantError):
    """The parts of a prompt that are never left out do not fit the assistant's context size."""


class ModelMissing(AssistantError):
    """The model or adapter an assistant uses is not installed."""


class BundleError(AssistantError):
    """A ``.assistant`` file that cannot be imported; nothing was written."""


class ConversationError(AppError):
    pass
