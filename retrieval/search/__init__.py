"""Search: hybrid retrieval (BM25 and vectors, fused) as a LangChain retriever."""
