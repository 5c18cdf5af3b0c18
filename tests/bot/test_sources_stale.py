"""/sources names the files that changed since the last refresh; answers stay on the live index."""

from __future__ import annotations

from tests.bot.helpers import reply


async def test_sources_names_the_changed_file(double, make_bot, service):
    await make_bot(service)
    sent = await double.send_slash_command("sources")
    assert not (await reply(double, sent)).get("content")  # fresh: no note
    corpus = service.settings.corpus_dir
    edited = sorted(p.name for p in corpus.iterdir())[0]
    (corpus / edited).write_text((corpus / edited).read_text() + "\nAn edit.\n")
    sent = await double.send_slash_command("sources")
    body = await reply(double, sent)
    assert f"The texts changed since the last refresh (changed {edited})" in body["content"]
    assert "/reindex" in body["content"] and body["embeds"]
