"""One typed settings object, read once at start-up from the environment and `.env`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from retrieval.errors import SettingsError


class Secret(str):
    """A string that never shows its value in repr(), logs or tracebacks."""

    def __repr__(self) -> str:
        return "Secret('**********')" if self else "Secret('')"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class Settings:
    """Everything the bot and the CLI can be configured with (see `.env.example`)."""

    corpus_dir: Path = Path("seeds")
    store_dir: Path = Path(".seedbot/store")
    chroma_host: str = ""
    chroma_port: int = 8000
    chroma_token: Secret = field(default_factory=Secret)
    embeddings: str = "minilm"
    chunk_chars: int = 600
    top_k: int = 6
    answer_sentences: int = 3
    min_relevance: float = 0.0  # 0 = use the calibrated default in retrieval.answer
    max_question_chars: int = 2000
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: Secret = field(default_factory=Secret)
    llm_timeout_s: float = 20.0
    discord_token: Secret = field(default_factory=Secret)
    discord_guild_id: int = 0
    discord_shards: str = ""  # "", "auto", "N" (all N shards here) or "N:i,j" (shards i and j of N)
    moderator_roles: tuple[str, ...] = ()
    cooldown_s: float = 10.0
    cooldown_questions: int = 3
    max_in_flight: int = 4
    feedback_db: Path = Path(".seedbot/feedback.sqlite3")
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
        """Read settings from `env` (default: the process environment after loading `.env`)."""
        if env is None:
            from dotenv import load_dotenv

            load_dotenv(dotenv or Path(".env"), override=False)
            env = os.environ
        values = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = _parse(f.name.upper(), raw.strip(), f.type)
        return cls(**values)._validated()

    def _validated(self) -> Settings:
        checks = [
            ("CHUNK_CHARS", 120 <= self.chunk_chars <= 4000, "must be between 120 and 4000"),
            ("TOP_K", 1 <= self.top_k <= 50, "must be between 1 and 50"),
            ("ANSWER_SENTENCES", 1 <= self.answer_sentences <= 10, "must be between 1 and 10"),
            ("MAX_QUESTION_CHARS", 10 <= self.max_question_chars <= 100_000, "10 to 100000"),
            ("CHROMA_PORT", 0 < self.chroma_port < 65536, "must be a TCP port"),
            ("MIN_RELEVANCE", 0.0 <= self.min_relevance <= 1.0, "must be between 0 and 1"),
            ("LLM_TIMEOUT_S", self.llm_timeout_s > 0, "must be positive"),
            ("MAX_IN_FLIGHT", self.max_in_flight >= 1, "must be at least 1"),
            ("COOLDOWN_QUESTIONS", self.cooldown_questions >= 1, "must be at least 1"),
        ]
        for name, ok, why in checks:
            if not ok:
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

    def secret_values(self) -> list[str]:
        """Every secret's value: what no log line, reply or message may ever show."""
        secrets = (self.discord_token, self.llm_api_key, self.chroma_token)
        return [s.reveal() for s in secrets if s]


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


def _parse(name: str, raw: str, kind: object) -> object:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "Secret":
            return Secret(raw)
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a valid {kind}.") from None
