"""The assistant editor: one module per section (about, model, instructions, knowledge,
behaviour) and the editor that holds them, saves and reverts."""
