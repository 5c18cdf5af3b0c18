"""The double against discord.py's real, unmodified client: prefix commands, slash commands,
buttons, threads, unknown routes, and the Discord rules the double enforces."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.discord_double import DiscordDouble, pointed_at, run_client
from tests.discord_double.gateway import MESSAGE_CONTENT

pytestmark = pytest.mark.e2e


def make_bot(*, message_content: bool = True, **intent_flags: bool) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = message_content
    for name, value in intent_flags.items():
        setattr(intents, name, value)
    # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before `ready`.
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.1)


def add_ping(bot: commands.Bot) -> None:
    @bot.command()
    async def ping(ctx: commands.Context) -> None:
        await ctx.send("pong")


async def test_prefix_command_reply(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    add_ping(bot)
    async with run_client(bot, discord_double):
        await discord_double.send_message(discord_double.channel_id, discord_double.member, "!ping")
        call = await discord_double.wait_for_call(
            method="POST", path=f"/channels/{discord_double.channel_id}/messages", timeout=5
        )
    assert call.status == 200
    assert call.json_body["content"] == "pong"
    assert call.response["author"]["id"] == str(discord_double.bot.id)


async def test_slash_command_defers_then_follows_up(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    seen: dict[str, bool] = {}

    @bot.tree.command(description="Echo text back")
    async def echo(interaction: discord.Interaction, text: str) -> None:
        seen[interaction.user.name] = interaction.permissions.manage_guild
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send(f"echo: {text}")

    bot.setup_hook = bot.tree.sync  # a global sync at startup, as many bots do
    async with run_client(bot, discord_double):
        synced = discord_double.world.commands[None]
        sent = await discord_double.send_slash_command(
            "echo", {"text": "hello"}, member=discord_double.moderator
        )
        followup = await discord_double.wait_for_call(method="POST", path=sent.webhook_path)
        other = await discord_double.send_slash_command("echo", {"text": "again"})
        await discord_double.wait_for_call(method="POST", path=other.webhook_path)

    assert [c["name"] for c in synced] == ["echo"]
    assert sent.payload["data"]["id"] == synced[0]["id"]  # the registered command's id
    callback = discord_double.calls_to("POST", sent.callback_path)[0]
    assert callback.json_body["type"] == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    assert callback.time_monotonic < followup.time_monotonic
    assert discord_double.calls.index(callback) < discord_double.calls.index(followup)
    assert followup.json_body["content"] == "echo: hello"
    # The first followup after a defer replaces the "thinking..." message.
    assert followup.response["id"] == str(sent.original_id)
    assert discord_double.messages[sent.original_id]["content"] == "echo: hello"
    assert seen == {"mod": True, "alice": False}  # Manage Server through the Moderator role


async def test_unsynced_guild_command_resolves(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    guild = discord.Object(discord_double.guild_id)

    @bot.tree.command(description="Add numbers", guild=guild)
    async def add(interaction: discord.Interaction, a: int, b: int) -> None:
        await interaction.response.send_message(str(a + b))

    async with run_client(bot, discord_double):
        sent = await discord_double.send_slash_command("add", {"a": 2, "b": 3}, guild_command=True)
        call = await discord_double.wait_for_call(method="POST", path=sent.callback_path)
    assert call.json_body["type"] == 4 and call.json_body["data"]["content"] == "5"
    assert "guild_id" in sent.payload["data"]  # how discord.py tells guild from global commands


async def test_button_click_answered_ephemerally(discord_double: DiscordDouble) -> None:
    bot = make_bot()

    class Confirm(discord.ui.View):
        @discord.ui.button(label="Confirm", custom_id="confirm")
        async def confirm(
            self, interaction: discord.Interaction, button: discord.ui.Button
        ) -> None:
            await interaction.response.send_message("confirmed", ephemeral=True)

    @bot.command()
    async def menu(ctx: commands.Context) -> None:
        await ctx.send("Choose:", view=Confirm())

    async with run_client(bot, discord_double):
        await discord_double.send_message(discord_double.channel_id, discord_double.member, "!menu")
        menu_msg = await discord_double.wait_for_message(lambda m: m["components"])
        sent = await discord_double.click_button(menu_msg, "confirm")
        call = await discord_double.wait_for_call(method="POST", path=sent.callback_path)

    assert call.json_body["type"] == 4
    assert call.json_body["data"]["content"] == "confirmed"
    assert call.json_body["data"]["flags"] & 64  # EPHEMERAL
    reply = discord_double.messages[sent.original_id]
    assert reply["flags"] & 64
    sent_events = discord_double.gateway.session.sent
    assert not any(f["t"] == "MESSAGE_CREATE" and f["d"]["id"] == reply["id"] for f in sent_events)


async def test_reply_in_thread_created_from_message(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    add_ping(bot)

    @bot.command()
    async def ask(ctx: commands.Context) -> None:
        thread = await ctx.message.create_thread(name="Answer")
        await thread.send("Answer in the thread")

    double = discord_double
    async with run_client(bot, double):
        question = await double.send_message(double.channel_id, double.member, "!ask what?")
        thread_call = await double.wait_for_call(method="POST", path="/threads")
        thread_id = int(thread_call.response["id"])
        first = await double.wait_for_message(channel_id=thread_id)
        await double.send_message(thread_id, double.member, "!ping")
        pong = await double.wait_for_message(lambda m: m["content"] == "pong", channel_id=thread_id)
        assert isinstance(bot.get_channel(thread_id), discord.Thread)

    assert thread_call.path == f"/channels/{double.channel_id}/messages/{question['id']}/threads"
    assert thread_call.json_body["name"] == "Answer"
    assert thread_call.response["type"] == 11 and thread_call.response["parent_id"] == str(
        double.channel_id
    )
    assert thread_id == int(question["id"])  # as on Discord: the thread takes the message's id
    assert first["content"] == "Answer in the thread"
    assert pong["channel_id"] == str(thread_id)


async def test_unknown_route_is_recorded(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    async with run_client(bot, discord_double):
        channel = bot.get_channel(discord_double.channel_id)
        with pytest.raises(discord.NotFound):
            await channel.create_webhook(name="hook")
    [call] = discord_double.unknown_calls
    assert (call.method, call.path, call.status) == (
        "POST",
        f"/channels/{discord_double.channel_id}/webhooks",
        404,
    )
    assert call.response == {"message": "404: Not Found", "code": 0}


# -- Discord's rules, enforced ----------------------------------------------------------------


async def test_late_first_response_is_unknown_interaction(discord_double: DiscordDouble) -> None:
    discord_double.interaction_deadline = 0.2  # Discord allows 3 s
    bot = make_bot()
    failures: list[discord.HTTPException] = []

    @bot.tree.command(description="Too slow")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        try:
            await interaction.response.send_message("late")
        except discord.HTTPException as exc:
            failures.append(exc)

    async with run_client(bot, discord_double):
        sent = await discord_double.send_slash_command("slow")
        await discord_double.wait_for_call(method="POST", path=sent.callback_path)
    assert [(f.status, f.code) for f in failures] == [(404, 10062)]


async def test_ephemeral_defer_makes_first_followup_ephemeral(
    discord_double: DiscordDouble,
) -> None:
    bot = make_bot()

    @bot.tree.command(description="Private answer")
    async def private(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send("only you")  # no ephemeral=True here
        await interaction.followup.send("second")

    async with run_client(bot, discord_double):
        sent = await discord_double.send_slash_command("private")
        await discord_double.wait_for_message(lambda m: m["content"] == "second")
    assert discord_double.messages[sent.original_id]["flags"] & 64
    [second_id] = sent.followup_ids
    assert not discord_double.messages[second_id]["flags"] & 64


async def test_over_long_message_is_rejected(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    errors: list[discord.HTTPException] = []

    @bot.command()
    async def long(ctx: commands.Context) -> None:
        try:
            await ctx.send("x" * 2001)
        except discord.HTTPException as exc:
            errors.append(exc)

    async with run_client(bot, discord_double):
        await discord_double.send_message(discord_double.channel_id, discord_double.member, "!long")
        call = await discord_double.wait_for_call(method="POST", path="/messages")
        await asyncio.sleep(0.05)
    assert call.status == 400
    assert [(e.status, e.code) for e in errors] == [(400, 50035)]
    assert "2000 or fewer" in str(errors[0])


async def test_without_message_content_intent_content_is_blank(
    discord_double: DiscordDouble,
) -> None:
    bot = make_bot(message_content=False)
    contents: list[str] = []

    @bot.listen()
    async def on_message(message: discord.Message) -> None:
        contents.append(message.content)

    double = discord_double
    async with run_client(bot, double):
        assert not double.gateway.session.intents & MESSAGE_CONTENT
        await double.send_message(double.channel_id, double.member, "hello")
        await double.send_message(double.channel_id, double.member, f"{double.bot.mention} hi")
        await asyncio.wait_for(_until(lambda: len(contents) == 2), 5)
    assert contents == ["", f"<@{double.bot.id}> hi"]  # mentioning the bot shows the content


async def test_members_intent_chunks_and_sees_roles(discord_double: DiscordDouble) -> None:
    bot = make_bot(members=True)
    async with run_client(bot, discord_double):
        guild = bot.get_guild(discord_double.guild_id)
        mod = guild.get_member(discord_double.moderator.id)
        alice = guild.get_member(discord_double.member.id)
        assert guild.chunked
        assert mod.guild_permissions.manage_guild and not alice.guild_permissions.manage_guild
        assert [r.name for r in mod.roles] == ["@everyone", "Member", "Moderator"]
    assert any(p.get("op") == 8 for p in discord_double.gateway.received)  # REQUEST_GUILD_MEMBERS


async def test_resume_replays_missed_events(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    add_ping(bot)
    double = discord_double
    async with run_client(bot, double):
        await double.gateway.drop()
        await double.send_message(double.channel_id, double.member, "!ping")  # while away
        call = await double.wait_for_call(method="POST", path="/messages", timeout=5)
    assert call.json_body["content"] == "pong"
    assert [p["op"] for p in double.gateway.received if p.get("op") in (2, 6)] == [2, 6]


async def test_wrong_token_fails_login(discord_double: DiscordDouble) -> None:
    bot = make_bot()
    try:
        with pytest.raises(discord.LoginFailure):
            await bot.login("not-the-token")
    finally:
        await bot.close()
    assert discord_double.calls[0].status == 401


async def test_interaction_rules_over_raw_http(discord_double: DiscordDouble) -> None:
    """Things discord.py itself prevents, checked at the HTTP level: one ack per interaction,
    no followup before the ack, and JSON served as exactly application/json."""
    bot = make_bot()

    @bot.tree.command(description="Never answers")
    async def silent(interaction: discord.Interaction) -> None:
        pass

    double = discord_double
    async with run_client(bot, double):
        sent = await double.send_slash_command("silent")
    base = double.api_base
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}{sent.webhook_path}", json={"content": "x"}) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10015
        for status, code in ((200, None), (400, 40060)):
            async with http.post(
                f"{base}{sent.callback_path}?with_response=true",
                json={"type": 4, "data": {"content": "hi"}},
            ) as resp:
                assert resp.headers["Content-Type"] == "application/json"
                body = await resp.json()
                assert resp.status == status and body.get("code") == code
        async with http.post(f"{base}{sent.webhook_path}?wait=true", json={"content": ""}) as resp:
            assert resp.status == 400 and (await resp.json())["code"] == 50006  # empty message


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_privileged_intent_not_enabled_fails_like_discord() -> None:
    """A bot asking for an intent the developer portal has not enabled gets close code 4014."""
    async with DiscordDouble(allowed_privileged_intents=0) as double:
        with pointed_at(double), pytest.raises(discord.PrivilegedIntentsRequired):
            async with run_client(make_bot(message_content=True), double):
                pass
