"""Assistant Builder: personal AI assistants that run entirely on your own computer."""

__version__ = "0.1.0"
APP_NAME = "Assistant Builder"
