"""/reindex: moderators only (enforced by the bot), progress, counts, and no second run at once."""

from __future__ import annotations

import asyncio
import threading

from retrieval.index.locks import RefreshLock
from tests.bot.helpers import acknowledgement, final_edit, markers, reply

QUESTION = "What is a speed argument against schemers?"


async def test_member_without_permission_is_told_no(double, make_bot, service):
    await make_bot(service)
    sent = await double.send_slash_command("reindex", member=double.member)
    ack = await acknowledgement(double, sent)
    assert ack.json_body["type"] == 4 and ack.json_body["data"]["flags"] == 64
    assert ack.json_body["data"]["content"].startswith("Only moderators")
    assert not service.refreshing


async def test_moderator_sees_progress_then_the_counts(double, make_bot, service):
    await make_bot(service)
    (service.settings.corpus_dir / "new.md").write_text("A new note about lighthouse keepers.\n")
    sent = await double.send_slash_command("reindex", member=double.moderator)
    assert (await acknowledgement(double, sent)).json_body["type"] == 5  # at once, before work
    done = await final_edit(double, sent, "Index refreshed")
    assert "1 added" in done["content"] and "0 deleted" in done["content"]
    assert "unchanged" in done["content"] and " s." in done["content"]
    edits = double.calls_to("PATCH", f"{sent.webhook_path}/messages/@original")
    assert edits[0].json_body["content"].startswith("Refreshing the index")
    assert all(e.json_body["allowed_mentions"] == {"parse": []} for e in edits)


async def test_a_role_named_in_settings_counts_as_moderator(double, make_bot, service):
    curator = await double.make_member("carol", permissions=0)
    await make_bot(service, moderator_roles=("CAROL-ROLE",))
    sent = await double.send_slash_command("reindex", member=curator)
    assert (await acknowledgement(double, sent)).json_body["type"] == 5
    await final_edit(double, sent, "Index refreshed")


async def test_questions_are_answered_while_a_refresh_runs_and_a_second_is_refused(
    double, make_bot, service, monkeypatch
):
    bot = await make_bot(service)
    release, started = threading.Event(), threading.Event()
    real_refresh = service.refresh

    def slow_refresh(progress=None, force=False):
        started.set()
        release.wait(10)
        return real_refresh(progress, force)

    monkeypatch.setattr(service, "refresh", slow_refresh)
    first = await double.send_slash_command("reindex", member=double.moderator)
    assert await asyncio.to_thread(started.wait, 10)
    second = await double.send_slash_command("reindex", member=double.owner)
    refused = await reply(double, second)
    assert "already running" in refused["content"] and refused["flags"] == 64
    asked = await double.send_slash_command("ask", {"question": QUESTION})
    assert markers((await reply(double, asked))["content"]) == [1]  # old index still answers
    release.set()
    await final_edit(double, first, "Index refreshed")
    assert not bot.get_cog("Reindex").lock.locked()


async def test_a_refresh_running_in_another_process_is_reported(double, make_bot, service):
    await make_bot(service)
    other = RefreshLock(service.settings.store_dir / "refresh.lock")  # as `seedbot index` holds it
    with other:
        sent = await double.send_slash_command("reindex", member=double.moderator)
        body = await reply(double, sent)
    assert "already running" in body["content"]
