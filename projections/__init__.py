"""The read side: read models named after the questions they answer (see issue 4)."""
