"""The read side: views built from the log, each with its tracking position."""
