"""The answering core, a library: ingest → index → search → answer (→ llm) → summary, evaluation.

It knows nothing of Discord or terminals: it returns structured outcomes (answers, refusals
with their reason, errors by type) and the adapters in `bot/` word them.
"""
