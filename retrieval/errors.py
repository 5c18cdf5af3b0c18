"""Domain errors: each carries a message fit to show a user as it is."""


class SeedbotError(Exception):
    """An error whose message is meant for the user, without a traceback."""


class SettingsError(SeedbotError):
    """A setting in the environment or `.env` has a bad value."""


class CorpusError(SeedbotError):
    """The corpus folder is missing, empty or unreadable."""


class StoreError(SeedbotError):
    """The vector store is missing, corrupt or unreachable."""


class IndexMissingError(StoreError):
    """No index has been built yet."""


class StoreUnavailableError(StoreError):
    """The store (a Chroma server) cannot be reached right now; retrying may work."""


class RefreshRunningError(SeedbotError):
    """A refresh is already running; a second one is not queued."""


class QuestionError(SeedbotError):
    """The question is empty, too long or otherwise not answerable as given."""


class ModelError(SeedbotError):
    """The embedding model file is missing or does not match its checksum."""


class UnknownDocumentError(SeedbotError):
    """A document named for a summary is not in the index; the message lists those that are."""
