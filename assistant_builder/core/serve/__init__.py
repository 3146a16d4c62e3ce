"""The local OpenAI-compatible API: each assistant is a model (api.py decides, http.py serves)."""
