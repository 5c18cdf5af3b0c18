"""One extension per user-facing feature; each ends with `async def setup(bot)`."""
