"""Domain errors: each carries a message fit to show a user as it is."""


class SeedbotError(Exception):
    """An error whose message is meant for the user, without a traceback."""


class SettingsError(SeedbotError):
    """A setting in the environment or `.env` has a bad value."""


class CorpusError(SeedbotError):
    """The corpus folder is missing, empty or unreadable."""


class CorpusChangedError(CorpusError):
    """A corpus file changed while a refresh read the corpus; reading it again will do."""


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


class QuestionTooLongError(QuestionError):
    """The question is over the length limit."""

    def __init__(self, length: int, limit: int) -> None:
        self.length, self.limit = length, limit
        super().__init__(
            f"That question is {length:,} characters long; the limit is {limit:,}. "
            "Please shorten it."
        )


class QuestionEmptyError(QuestionError):
    """Nothing is left of the question once control characters and spaces are gone."""

    def __init__(self) -> None:
        super().__init__("The question is empty: ask something about the texts.")


class NoSuchCitationError(QuestionError):
    """A follow-up names a citation the last answer did not have ("[3]" after two sources)."""

    def __init__(self, number: int, cited: int) -> None:
        self.number, self.cited = number, cited
        if cited == 0:
            message = f"The last answer cited no sources, so there is no [{number}]. Ask in full."
        else:
            sources = "1 source" if cited == 1 else f"{cited} sources"
            listed = ", ".join(f"[{n}]" for n in range(1, cited + 1))
            message = (
                f"The last answer cited {sources}, so there is no [{number}]. Ask about "
                f"{listed}, or ask the question in full."
            )
        super().__init__(message)


class ModelError(SeedbotError):
    """The embedding model file is missing or does not match its checksum."""


class UnknownDocumentError(SeedbotError):
    """A document named for a summary is not in the index; the message lists those that are."""
