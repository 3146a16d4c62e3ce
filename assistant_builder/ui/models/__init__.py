"""The parts of the Models page: item models, delegates, and one panel per task."""
