"""The terminal adapter: the `seedbot` command line and the chat, with their own wording."""
