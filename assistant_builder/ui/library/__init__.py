"""The Library page: collections of document folders, their indexing and a test search."""
