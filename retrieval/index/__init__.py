"""Index: embed passages and keep them in Chroma as versions, one of them live."""
