"""The buttons under answers (votes, "Show sources") and /feedback for moderators."""

from __future__ import annotations

from tests.bot.helpers import acknowledgement, reply

QUESTION = "What arguments are there about scheming, deception and training?"


def button(message: dict, kind: str) -> str:
    ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    return next(i for i in ids if i.startswith(f"seedbot:{kind}"))


async def answered(double) -> dict:
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    await reply(double, sent)
    return double.messages[sent.original_id]


async def test_votes_are_stored_once_per_member_and_listed_for_moderators(double, seed_bot):
    message = await answered(double)
    down = button(message, "vote:down")
    first = await double.click_button(message, down, member=double.member)
    assert (await acknowledgement(double, first)).json_body["data"]["flags"] == 64  # private
    assert "recorded" in (await reply(double, first))["content"]
    again = await double.click_button(message, down, member=double.member)
    assert "already voted" in (await reply(double, again))["content"]
    answer_id = down.rsplit(":", 1)[1]
    assert seed_bot.feedback.tally(answer_id) == (0, 1)

    listed = await double.send_slash_command("feedback", member=double.moderator)
    embed = (await reply(double, listed))["embeds"][0]
    assert QUESTION in embed["fields"][0]["name"] and "👎 1" in embed["fields"][0]["name"]
    assert f"/{message['id']}" in embed["fields"][0]["value"]  # a link to the answer
    refused = await double.send_slash_command("feedback", member=double.member)
    assert (await reply(double, refused))["content"].startswith("Only moderators")


async def test_show_sources_shows_the_full_passages_privately(double, seed_bot):
    message = await answered(double)
    click = await double.click_button(message, button(message, "sources"), member=double.moderator)
    ack = await acknowledgement(double, click)
    assert ack.json_body["type"] == 5 and ack.json_body["data"]["flags"] == 64
    body = await reply(double, click)
    posted = seed_bot.feedback.get(button(message, "sources").rsplit(":", 1)[1])
    assert [e["description"] for e in body["embeds"]] == [c.quote for c in posted.citations]


async def test_buttons_keep_working_after_a_restart(double, make_bot, seed_service):
    bot = await make_bot(seed_service)
    message = await answered(double)
    await bot.close()
    await make_bot(seed_service)  # a new process would find the answer in the feedback file
    click = await double.click_button(message, button(message, "vote:up"))
    assert "recorded" in (await reply(double, click))["content"]
