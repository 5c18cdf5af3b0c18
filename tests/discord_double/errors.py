"""Discord's error responses and the request limits the double enforces.

Real Discord rejects oversized or empty messages with 400s; a bot that works against a lenient
fake can still fail in production (a long LLM answer over 2000 characters is the classic case),
so the double checks the documented limits and answers in Discord's own error shape.
"""

from __future__ import annotations

import re
from typing import Any


class ApiError(Exception):
    """Raised by route handlers; the server turns it into Discord's JSON error body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: dict | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.headers = headers or {}
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors
        self.body.update(extra or {})


def _nest(path: list[str | int], code: str, message: str) -> dict:
    """{"a": {"0": {"b": {"_errors": [...]}}}} for path ["a", 0, "b"], as Discord nests them."""
    node: dict = {"_errors": [{"code": code, "message": message}]}
    for key in reversed(path):
        node = {str(key): node}
    return node


def invalid_form(path: list[str | int], code: str, message: str) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", _nest(path, code, message))


def too_long(path: list[str | int], limit: int) -> ApiError:
    return invalid_form(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def unknown(what: str) -> ApiError:
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Interaction": 10062,
        "Member": 10007,
        "Message": 10008,
        "User": 10013,
        "Webhook": 10015,
        "Application": 10002,
    }
    return ApiError(404, codes[what], f"Unknown {what}")


def check_length(value: Any, path: list[str | int], limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise too_long(path, limit)


EMBED_LIMITS = {"title": 256, "description": 4096}


def check_embeds(embeds: list[dict]) -> None:
    if len(embeds) > 10:
        raise too_long(["embeds"], 10)
    total = 0
    for i, embed in enumerate(embeds):
        for key, limit in EMBED_LIMITS.items():
            check_length(embed.get(key), ["embeds", i, key], limit)
            total += len(embed.get(key) or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise too_long(["embeds", i, "fields"], 25)
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                if not fld.get(key):
                    raise invalid_form(
                        ["embeds", i, "fields", j, key],
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                check_length(fld[key], ["embeds", i, "fields", j, key], limit)
                total += len(fld[key])
        footer = (embed.get("footer") or {}).get("text")
        check_length(footer, ["embeds", i, "footer", "text"], 2048)
        author = (embed.get("author") or {}).get("name")
        check_length(author, ["embeds", i, "author", "name"], 256)
        total += len(footer or "") + len(author or "")
    if total > 6000:
        raise invalid_form(
            ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )


def check_components(rows: list[dict], flags: int) -> None:
    if flags & (1 << 15):  # IS_COMPONENTS_V2: a different layout system, not checked here
        return
    if len(rows) > 5:
        raise too_long(["components"], 5)
    for i, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(children) <= 5:
            raise invalid_form(
                ["components", i],
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1,).',
            )
        for j, item in enumerate(children):
            path: list[str | int] = ["components", i, "components", j]
            check_length(item.get("label"), [*path, "label"], 80)
            is_link = item.get("type") == 2 and item.get("style") == 5
            if not is_link and not item.get("custom_id"):
                raise invalid_form(
                    [*path, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required"
                )
            check_length(item.get("custom_id"), [*path, "custom_id"], 100)
            if len(item.get("options") or []) > 25:
                raise too_long([*path, "options"], 25)


def check_allowed_mentions(allowed: dict | None) -> None:
    if not allowed:
        return
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            raise invalid_form(
                ["allowed_mentions"],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def check_message_body(
    body: dict, *, has_files: bool = False, require_content: bool = True
) -> None:
    """The checks Discord applies to a message create/edit body (channel, webhook, callback)."""
    check_length(body.get("content"), ["content"], 2000)
    check_embeds(body.get("embeds") or [])
    check_components(body.get("components") or [], body.get("flags") or 0)
    check_allowed_mentions(body.get("allowed_mentions"))
    if require_content and not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or has_files
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")


def check_thread_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise invalid_form(["name"], "BASE_TYPE_REQUIRED", "This field is required")
    check_length(name, ["name"], 100)


COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


def check_commands(commands: list[dict]) -> None:
    """A subset of Discord's application command validation (names, descriptions, option order)."""
    if len(commands) > 100:
        raise too_long([], 100)
    seen: set[tuple[str, int]] = set()
    for i, cmd in enumerate(commands):
        kind = cmd.get("type", 1)
        name = cmd.get("name") or ""
        if (name, kind) in seen:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                _nest(
                    [i, "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {name}",
                ),
            )
        seen.add((name, kind))
        if kind == 1:
            _check_chat_input(cmd, [i])


def _check_chat_input(cmd: dict, path: list[str | int]) -> None:
    name = cmd.get("name") or ""
    if not COMMAND_NAME.match(name) or name != name.lower():
        raise invalid_form(
            [*path, "name"],
            "APPLICATION_COMMAND_INVALID_NAME",
            f"Command name is invalid: {name!r}",
        )
    description = cmd.get("description") or ""
    if not 1 <= len(description) <= 100:
        raise invalid_form(
            [*path, "description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )
    options = cmd.get("options") or []
    if len(options) > 25:
        raise too_long([*path, "options"], 25)
    optional_seen = False
    for j, opt in enumerate(options):
        if opt.get("type") in (1, 2):
            _check_chat_input(opt, [*path, "options", j])
            continue
        if opt.get("required") and optional_seen:
            raise invalid_form(
                [*path, "options", j],
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            )
        optional_seen = optional_seen or not opt.get("required")
        _check_chat_input({**opt, "options": []}, [*path, "options", j])
