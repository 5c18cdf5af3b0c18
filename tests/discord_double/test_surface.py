"""The rest of the double's surface through discord.py's real client: files, edits, reactions,
fetches, replies and mentions, autocomplete, selects, new members and user-made threads."""

from __future__ import annotations

import asyncio
import io

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.discord_double import DiscordDouble, run_client

pytestmark = pytest.mark.e2e


def make_bot(**intent_flags: bool) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    for name, value in intent_flags.items():
        setattr(intents, name, value)
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.1)


async def test_message_lifecycle_through_rest(discord_double: DiscordDouble) -> None:
    double = discord_double
    bot = make_bot()
    async with run_client(bot, double):
        channel = bot.get_channel(double.channel_id)
        async with channel.typing():
            sent = await channel.send(
                "report", file=discord.File(io.BytesIO(b"hello"), filename="a.txt")
            )
        assert sent.attachments[0].filename == "a.txt"
        fetched = await channel.fetch_message(sent.id)
        assert fetched.content == "report" and fetched.author == bot.user
        edited = await sent.edit(content="report v2", embed=discord.Embed(title="T"))
        assert edited.content == "report v2" and edited.embeds[0].title == "T"
        await sent.add_reaction("👍")
        assert (await channel.fetch_message(sent.id)).reactions[0].me
        assert (await bot.fetch_channel(double.channel_id)).name == "general"
        member = await bot.get_guild(double.guild_id).fetch_member(double.moderator.id)
        assert [r.name for r in member.roles] == ["@everyone", "Member", "Moderator"]
        await sent.delete()
        with pytest.raises(discord.NotFound):
            await channel.fetch_message(sent.id)

    upload = double.calls_to("POST", f"/channels/{double.channel_id}/messages")[0]
    assert upload.json_body["content"] == "report"  # parsed from multipart payload_json
    assert upload.files[0]["filename"] == "a.txt" and upload.files[0]["data"] == b"hello"
    assert double.calls_to("POST", "/typing")
    assert double.calls_to("PUT", "/reactions/👍/@me")
    assert double.unknown_calls == []


async def test_reply_pings_and_allowed_mentions(discord_double: DiscordDouble) -> None:
    double = discord_double
    bot = make_bot()

    @bot.command()
    async def say(ctx: commands.Context, *, text: str) -> None:
        # Echoing user text safely: no @everyone, no role pings, reply without a ping.
        await ctx.reply(text, allowed_mentions=discord.AllowedMentions.none())

    @bot.command()
    async def unsafe(ctx: commands.Context, *, text: str) -> None:
        await ctx.send(text)

    async with run_client(bot, double):
        await double.send_message(double.channel_id, double.member, "!say @everyone hi")
        safe = await double.wait_for_message(lambda m: m["content"] == "@everyone hi")
        await double.send_message(double.channel_id, double.member, "!unsafe @everyone hi")
        loud = await double.wait_for_message(lambda m: m is not safe and "@" in m["content"])
        # A user's message mentioning the bot arrives with the mention parsed.
        mention = await double.send_message(double.channel_id, double.member, double.bot.mention)

    assert safe["type"] == 19 and safe["referenced_message"]["author"]["username"] == "alice"
    assert not safe["mention_everyone"] and safe["mentions"] == []
    assert loud["mention_everyone"]  # what the bot would do without allowed_mentions
    assert mention["mentions"][0]["id"] == str(double.bot.id)


async def test_autocomplete_and_select(discord_double: DiscordDouble) -> None:
    double = discord_double
    bot = make_bot()
    fruits = ["apple", "apricot", "banana"]

    @bot.tree.command(description="Pick a fruit")
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        view = discord.ui.View()
        view.add_item(FruitSelect())
        await interaction.response.send_message(f"you typed {name}", view=view)

    @fruit.autocomplete("name")
    async def fruit_names(interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=f, value=f) for f in fruits if f.startswith(current)]

    class FruitSelect(discord.ui.Select):
        def __init__(self) -> None:
            options = [discord.SelectOption(label=f) for f in fruits]
            super().__init__(custom_id="pick", options=options)

        async def callback(self, interaction: discord.Interaction) -> None:
            await interaction.response.edit_message(content=f"picked {self.values[0]}", view=None)

    bot.setup_hook = bot.tree.sync
    async with run_client(bot, double):
        typed = await double.send_autocomplete("fruit", {"name": "ap"}, focused="name")
        choices = await double.wait_for_call(method="POST", path=typed.callback_path)
        run = await double.send_slash_command("fruit", {"name": "apple"})
        await double.wait_for_call(method="POST", path=run.callback_path)
        picked = await double.select_option(run.original_id, "pick", ["banana"])
        await double.wait_for_call(method="POST", path=picked.callback_path)
        with pytest.raises(ValueError, match="missing"):
            await double.send_slash_command("fruit", {})  # the schema says `name` is required

    assert choices.json_body["type"] == 8
    assert [c["value"] for c in choices.json_body["data"]["choices"]] == ["apple", "apricot"]
    message = double.messages[run.original_id]
    assert message["content"] == "picked banana" and message["components"] == []
    assert message["interaction_metadata"]["name"] == "fruit"


async def test_new_member_and_user_thread(discord_double: DiscordDouble) -> None:
    double = discord_double
    bot = make_bot(members=True)
    async with run_client(bot, double):
        helper = await double.make_member("helper", roles=["Member"], permissions=1 << 5)
        topic = await double.send_message(double.channel_id, helper, "a question")
        thread = await double.create_thread(double.channel_id, "Q", helper, from_message=topic)
        await double.send_message(int(thread["id"]), helper, "details")
        guild = bot.get_guild(double.guild_id)
        await asyncio.wait_for(_until(lambda: guild.get_thread(int(thread["id"]))), 5)
        seen = guild.get_member(helper.id)
        assert seen is not None and seen.guild_permissions.manage_guild
        assert guild.get_thread(int(thread["id"])).owner_id == helper.id


async def _until(condition) -> None:
    while not condition():
        await asyncio.sleep(0.01)
