"""LLM: the optional chat model, its prompts, and the check of what it writes."""
