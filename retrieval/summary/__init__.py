"""Summary: cited summaries of a document, a topic or the whole corpus."""
