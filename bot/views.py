"""The buttons under each answer: 👍 / 👎 and "Show sources", working across restarts."""

from __future__ import annotations

import asyncio
import re
import secrets

import discord

from bot.errors import BotUserError, guarded
from bot.render import NO_MENTIONS, group_embeds, passage_embeds

ANSWER_ID = r"[0-9a-f]{16}"
VOTES = {"up": (1, "👍"), "down": (-1, "👎")}


def new_answer_id() -> str:
    return secrets.token_hex(8)


def answer_view(answer_id: str, with_sources: bool) -> discord.ui.View:
    """Vote buttons, and "Show sources" when the answer cites anything."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(answer_id, "up"))
    view.add_item(VoteButton(answer_id, "down"))
    if with_sources:
        view.add_item(SourcesButton(answer_id))
    return view


async def _posted(interaction: discord.Interaction, answer_id: str):
    posted = await asyncio.to_thread(interaction.client.feedback.get, answer_id)
    if posted is None:
        raise BotUserError("I no longer have that answer on record, so I can't do that.")
    return posted


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"seedbot:vote:(?P<vote>up|down):(?P<answer>{ANSWER_ID})",
):
    """👍 or 👎 on one answer; one vote per member, a second click changes it."""

    def __init__(self, answer_id: str, vote: str) -> None:
        emoji = VOTES[vote][1]
        button = discord.ui.Button(
            style=discord.ButtonStyle.secondary,
            emoji=emoji,
            custom_id=f"seedbot:vote:{vote}:{answer_id}",
        )
        super().__init__(button)
        self.answer_id = answer_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> VoteButton:
        return cls(match["answer"], match["vote"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await _posted(interaction, self.answer_id)
        store = interaction.client.feedback
        value, emoji = VOTES[self.vote]
        changed = await asyncio.to_thread(store.vote, self.answer_id, interaction.user.id, value)
        text = (
            f"Thanks: your {emoji} is recorded." if changed else f"You had already voted {emoji}."
        )
        if value < 0 and changed:
            text += " Moderators will see this answer in /feedback."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class SourcesButton(
    discord.ui.DynamicItem[discord.ui.Button], template=rf"seedbot:sources:(?P<answer>{ANSWER_ID})"
):
    """The full cited passages of one answer, shown only to the member who clicks."""

    def __init__(self, answer_id: str) -> None:
        button = discord.ui.Button(
            style=discord.ButtonStyle.primary,
            label="Show sources",
            custom_id=f"seedbot:sources:{answer_id}",
        )
        super().__init__(button)
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SourcesButton:
        return cls(match["answer"])

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = await _posted(interaction, self.answer_id)
        if not posted.citations:
            raise BotUserError("That answer cites no sources.")
        for group in group_embeds(passage_embeds(posted.citations)):
            await interaction.followup.send(
                embeds=group, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
