"""The Compare view: variants of an assistant answering one question side by side."""
