"""Posted answers and members' 👍/👎 votes on them, in a local SQLite file."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.types import Citation, Turn

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,            -- 'answer' or 'summary'
    asker_id INTEGER NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER NOT NULL,
    question TEXT NOT NULL,
    standalone TEXT NOT NULL,      -- the question as retrieval understood it
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,       -- JSON list of citations
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS answer_messages (
    message_id INTEGER PRIMARY KEY,
    answer_id TEXT NOT NULL REFERENCES answers(answer_id)
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(answer_id),
    member_id INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at REAL NOT NULL,
    UNIQUE (answer_id, member_id)
);
CREATE INDEX IF NOT EXISTS votes_by_time ON votes (vote, voted_at);
"""


@dataclass
class Posted:
    """An answer or summary as the bot posted it, enough to vote on it and to follow it up."""

    answer_id: str
    kind: str
    asker_id: int
    guild_id: int | None
    channel_id: int
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    standalone: str = ""
    created_at: float = field(default_factory=time.time)
    message_ids: list[int] = field(default_factory=list)

    def turn(self) -> Turn:
        """This exchange as an earlier turn of a conversation."""
        return Turn(
            self.standalone or self.question, self.answer, tuple(self.citations), self.refused
        )

    @property
    def jump_url(self) -> str:
        if not self.message_ids:
            return ""
        guild = self.guild_id or "@me"
        return f"https://discord.com/channels/{guild}/{self.channel_id}/{self.message_ids[0]}"


@dataclass(frozen=True)
class Downvoted:
    """A posted answer with its votes, for moderators' review."""

    posted: Posted
    down: int
    up: int
    last_vote_at: float


class FeedbackStore:
    """Answers and votes in SQLite; one vote per member per answer (a new one replaces it)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by worker threads, serialised by a lock: writes are tiny.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def save(self, posted: Posted) -> None:
        """Record a posted answer (before its messages exist, so buttons can find it)."""
        citations = json.dumps([c.to_json() for c in posted.citations], ensure_ascii=False)
        row = (
            posted.answer_id,
            posted.kind,
            posted.asker_id,
            posted.guild_id,
            posted.channel_id,
            posted.question,
            posted.standalone,
            posted.answer,
            int(posted.refused),
            citations,
            posted.created_at,
        )
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)

    def link(self, answer_id: str, message_ids: Iterable[int]) -> None:
        """Remember which messages carry the answer (a long one takes several)."""
        rows = [(message_id, answer_id) for message_id in message_ids]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO answer_messages VALUES (?, ?)", rows)

    def get(self, answer_id: str) -> Posted | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM answers WHERE answer_id = ?", (answer_id,)
            ).fetchone()
            return self._posted(row) if row else None

    def for_messages(self, message_ids: Sequence[int]) -> dict[int, Posted]:
        """The answer each of these messages carries, for those that carry one."""
        found: dict[int, Posted] = {}
        with self._lock:
            for message_id in message_ids:
                row = self._db.execute(
                    "SELECT a.* FROM answers a JOIN answer_messages m USING (answer_id) "
                    "WHERE m.message_id = ?",
                    (message_id,),
                ).fetchone()
                if row:
                    found[message_id] = self._posted(row)
        return found

    def vote(self, answer_id: str, member_id: int, vote: int) -> bool:
        """Record the member's vote; False when they had already cast that same vote."""
        with self._lock:
            before = self._db.execute(
                "SELECT vote FROM votes WHERE answer_id = ? AND member_id = ?",
                (answer_id, member_id),
            ).fetchone()
            self._db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT (answer_id, member_id) "
                "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (answer_id, member_id, vote, time.time()),
            )
        return before is None or before[0] != vote

    def tally(self, answer_id: str) -> tuple[int, int]:
        """(👍, 👎) counts of an answer."""
        with self._lock:
            up, down = self._db.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes "
                "WHERE answer_id = ?",
                (answer_id,),
            ).fetchone()
        return up, down

    def recent_downvoted(self, limit: int = 10) -> list[Downvoted]:
        """The answers most recently voted 👎, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT a.*, SUM(v.vote = -1), SUM(v.vote = 1), MAX(v.voted_at) FROM answers a "
                "JOIN votes v USING (answer_id) GROUP BY a.answer_id HAVING SUM(v.vote = -1) > 0 "
                "ORDER BY MAX(CASE WHEN v.vote = -1 THEN v.voted_at END) DESC LIMIT ?",
                (limit,),
            ).fetchall()
            return [Downvoted(self._posted(r[:11]), r[11], r[12], r[13]) for r in rows]

    def _posted(self, row: tuple) -> Posted:
        """A Posted from an answers row (the lock is held by the caller)."""
        ids = [
            m
            for (m,) in self._db.execute(
                "SELECT message_id FROM answer_messages WHERE answer_id = ? ORDER BY message_id",
                (row[0],),
            )
        ]
        citations = [Citation(**c) for c in json.loads(row[9])]
        return Posted(
            answer_id=row[0],
            kind=row[1],
            asker_id=row[2],
            guild_id=row[3],
            channel_id=row[4],
            question=row[5],
            standalone=row[6],
            answer=row[7],
            refused=bool(row[8]),
            citations=citations,
            created_at=row[10],
            message_ids=ids,
        )
