"""The Chat page and the pieces it shares with the editor's Try it pane."""
