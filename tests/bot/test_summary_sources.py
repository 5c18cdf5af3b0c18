"""/summary (with document autocomplete) and /sources on the seed corpus."""

from __future__ import annotations

from tests.bot.helpers import acknowledgement, markers, quoted, reply, verbatim_in_corpus


async def test_summary_of_the_corpus_is_cited_like_an_answer(double, seed_bot, seed_service):
    sent = await double.send_slash_command("summary", {})
    assert (await acknowledgement(double, sent)).json_body["type"] == 5
    body = await reply(double, sent)
    assert body["content"].startswith("**Summary of the corpus")
    fields = [f for e in body["embeds"] for f in e["fields"]]
    assert markers(body["content"]) and len(fields) == max(markers(body["content"]))
    for field in fields:
        source = field["name"].split("] ", 1)[1].rsplit(", line", 1)[0]
        assert verbatim_in_corpus(seed_service.settings.corpus_dir, source, quoted(field["value"]))
    assert body["allowed_mentions"] == {"parse": []}


async def test_document_autocomplete_offers_the_matching_corpus_files(
    double, seed_bot, seed_service
):
    sent = await double.send_autocomplete("summary", {"document": "003"}, focused="document")
    ack = await acknowledgement(double, sent)
    assert ack.json_body["type"] == 8
    choices = [c["value"] for c in ack.json_body["data"]["choices"]]
    assert choices == [n for n in seed_service.sources().documents if "003" in n]


async def test_summary_of_one_document_cites_only_that_document(double, seed_bot, seed_service):
    name = sorted(seed_service.sources().documents)[0]
    sent = await double.send_slash_command("summary", {"document": name})
    body = await reply(double, sent)
    assert name in body["content"]
    sources = {
        f["name"].split("] ", 1)[1].rsplit(", line", 1)[0]
        for e in body["embeds"]
        for f in e["fields"]
    }
    assert sources == {name}


async def test_unknown_document_is_explained(double, seed_bot):
    sent = await double.send_slash_command("summary", {"document": "no-such-file.txt"})
    body = await reply(double, sent)
    assert "No document named" in body["content"]


async def test_sources_lists_documents_sizes_and_refresh_time(double, seed_bot, seed_service):
    sent = await double.send_slash_command("sources")
    body = await reply(double, sent)
    description = body["embeds"][0]["description"]
    info = seed_service.sources()
    for name, doc in info.documents.items():
        assert name in description and f"{doc['chars']:,} characters" in description
    assert f"<t:{int(info.built_at)}:R>" in description


async def test_summary_on_a_topic_is_titled_and_cited(double, seed_bot, seed_service):
    sent = await double.send_slash_command("summary", {"topic": "optimisation power"})
    body = await reply(double, sent)
    assert body["content"].startswith("**What the texts say about “optimisation power”")
    assert markers(body["content"]) and body["embeds"]
