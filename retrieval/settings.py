"""One typed settings object, read once at start-up from the environment and `.env`.

pydantic-settings parses and validates every value by its declared type; secrets are
`SecretStr`, so `str()`, `repr()`, f-strings, `%s` logging and validation errors show
`**********`, and only `.get_secret_value()` where a secret is used gives the value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.errors import SettingsError


def _comma_list(raw: Any) -> Any:
    """ "Mods, Admins ," as ("Mods", "Admins")."""
    if isinstance(raw, str):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


CommaList = Annotated[tuple[str, ...], BeforeValidator(_comma_list)]
IdList = Annotated[tuple[int, ...], BeforeValidator(_comma_list)]

# (variable, check, why) for values that parse but make no sense.
_RANGES = (
    ("CHUNK_CHARS", lambda s: 120 <= s.chunk_chars <= 4000, "must be between 120 and 4000"),
    ("TOP_K", lambda s: 1 <= s.top_k <= 50, "must be between 1 and 50"),
    ("ANSWER_SENTENCES", lambda s: 1 <= s.answer_sentences <= 10, "must be between 1 and 10"),
    ("MAX_QUESTION_CHARS", lambda s: 10 <= s.max_question_chars <= 100_000, "10 to 100000"),
    ("CHROMA_PORT", lambda s: 0 < s.chroma_port < 65536, "must be a TCP port"),
    ("MIN_RELEVANCE", lambda s: 0.0 <= s.min_relevance <= 1.0, "must be between 0 and 1"),
    ("LLM_TIMEOUT_S", lambda s: 0 <= s.llm_timeout_s <= 3600, "0 (by provider) to 3600"),
    ("MAX_IN_FLIGHT", lambda s: s.max_in_flight >= 1, "must be at least 1"),
    ("COOLDOWN_QUESTIONS", lambda s: s.cooldown_questions >= 1, "must be at least 1"),
    ("LLM_MAX_TOKENS", lambda s: 16 <= s.llm_max_tokens <= 8192, "must be between 16 and 8192"),
    ("LLM_TEMPERATURE", lambda s: 0.0 <= s.llm_temperature <= 2.0, "must be between 0 and 2"),
    ("LLM_CONCURRENCY", lambda s: 0 <= s.llm_concurrency <= 64, "0 (by provider) to 64"),
    ("LLM_REWRITE_TIMEOUT_S", lambda s: 0 <= s.llm_rewrite_timeout_s <= 600, "0 to 600"),
)

# Defaults that depend on where the model runs. A model on this machine (a CPU, one slot) reads
# a 1,000-token prompt in 15-100 s and serves one request at a time; a hosted one answers in
# seconds and takes several at once.
LOCAL_TIMEOUT_S = 180.0
HOSTED_TIMEOUT_S = 30.0
LOCAL_REWRITE_TIMEOUT_S = 30.0
HOSTED_REWRITE_TIMEOUT_S = 5.0
LOCAL_CONCURRENCY = 1
HOSTED_CONCURRENCY = 4
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"}


class Settings(BaseSettings):
    """Everything the bot and the CLI can be configured with (see `.env.example`)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    corpus_dir: Path = Path("seeds")
    store_dir: Path = Path(".seedbot/store")
    chroma_host: str = ""
    chroma_port: int = 8000
    chroma_token: SecretStr = SecretStr("")
    embeddings: str = "minilm"
    chunk_chars: int = 600
    top_k: int = 6
    answer_sentences: int = 3
    min_relevance: float = 0.0  # refuse below this P(answerable); 0 = the fitted threshold
    refusal_model: Path | None = None  # a model written by `seedbot eval --fit`; None = shipped
    max_question_chars: int = 2000
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 0.0  # 0 = by provider kind (see llm_deadline_s)
    discord_token: SecretStr = SecretStr("")
    discord_guild_id: int = 0
    discord_shards: str = ""  # "", "auto", "N" (all N shards here) or "N:i,j" (shards i and j of N)
    moderator_roles: CommaList = ()
    cooldown_s: float = 10.0
    cooldown_questions: int = 3
    max_in_flight: int = 4
    feedback_db: Path = Path(".seedbot/feedback.sqlite3")
    allowed_channels: IdList = ()  # channels (and their threads) where mentions are answered
    log_level: str = "INFO"
    log_file: Path | None = None  # a rotating log file instead of stderr
    llm_max_tokens: int = 400
    llm_temperature: float = 0.0
    llm_concurrency: int = 0  # 0 = by provider kind: 1 on this machine, 4 hosted
    llm_rewrite_timeout_s: float = 0.0  # 0 = by provider kind

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_others):
        # Only what `from_env` hands in: it reads the environment itself, so a test's mapping
        # is the whole configuration and never mixes with the process environment.
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        """Read settings from `env` (default: the process environment after loading `.env`)."""
        if env is None:
            from dotenv import load_dotenv

            load_dotenv(dotenv or Path(".env"), override=False)
            env = os.environ
        values = {}
        for name in cls.model_fields:
            raw = env.get(name.upper())
            if raw is not None and raw.strip():
                values[name] = raw.strip()
        try:
            return cls(**values)
        except ValidationError as exc:
            raise _settings_error(exc, values) from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes`, validated like the original."""
        return type(self)(**{**dict(self), **changes})

    @model_validator(mode="after")
    def _in_range(self) -> Settings:
        for name, ok, why in _RANGES:
            if not ok(self):
                raise SettingsError(f"{name} {why}.")
        if self.discord_shards and shard_plan(self.discord_shards) is None:
            raise SettingsError(
                f"DISCORD_SHARDS={self.discord_shards!r}: use auto, a shard count such as 4, "
                "or 4:0,1 for shards 0 and 1 of 4."
            )
        if self.llm_base_url and not self.llm_model:
            raise SettingsError("LLM_BASE_URL is set but LLM_MODEL is not: name the model to use.")
        return self

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model)

    @property
    def llm_local(self) -> bool:
        """Whether the model runs on this machine (or the LAN's loopback): Ollama or a local URL."""
        if self.llm_base_url:
            host = urlsplit(self.llm_base_url).hostname or ""
            return host in _LOCAL_HOSTS or host.startswith("127.")
        return self.llm_model.startswith("ollama:")

    @property
    def llm_deadline_s(self) -> float:
        """Seconds one answer or summary call may take: LLM_TIMEOUT_S, else by provider kind."""
        return self.llm_timeout_s or (LOCAL_TIMEOUT_S if self.llm_local else HOSTED_TIMEOUT_S)

    @property
    def llm_rewrite_deadline_s(self) -> float:
        """Seconds a follow-up rewrite may take before the offline rewrite is used."""
        if self.llm_rewrite_timeout_s:
            return self.llm_rewrite_timeout_s
        return LOCAL_REWRITE_TIMEOUT_S if self.llm_local else HOSTED_REWRITE_TIMEOUT_S

    @property
    def llm_parallel(self) -> int:
        """Model calls in flight at once: LLM_CONCURRENCY, else 1 local and 4 hosted."""
        return self.llm_concurrency or (LOCAL_CONCURRENCY if self.llm_local else HOSTED_CONCURRENCY)

    def secret_values(self) -> list[str]:
        """Every secret's value: what no log line, reply or message may ever show."""
        secrets = (self.discord_token, self.llm_api_key, self.chroma_token)
        return [s.get_secret_value() for s in secrets if s.get_secret_value()]


def _settings_error(exc: ValidationError, values: Mapping[str, str]) -> SettingsError:
    """One line naming the variable; a secret's value is never quoted."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error.get("loc") else ""
    field = Settings.model_fields.get(name)
    kind = getattr(field.annotation, "__name__", "value") if field else "value"
    shown = "(hidden)" if kind == "SecretStr" else repr(values.get(name, ""))
    return SettingsError(f"{name.upper()}={shown} is not a valid {kind}.")


def shard_plan(spec: str) -> tuple[int | None, list[int] | None] | None:
    """(shard count, this process's shard ids) from DISCORD_SHARDS; None if malformed."""
    if spec == "auto":
        return None, None
    count, _, ids = spec.partition(":")
    try:
        total = int(count)
        chosen = [int(i) for i in ids.split(",")] if ids else None
    except ValueError:
        return None
    if total < 1 or (chosen is not None and not all(0 <= i < total for i in chosen)):
        return None
    return total, chosen
