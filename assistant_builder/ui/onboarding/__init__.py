"""The first-run guide (model, documents, name) and the questions to try it leaves in the chat."""
