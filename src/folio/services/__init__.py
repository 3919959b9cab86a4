"""Use cases over one unit of work. Services flush but never commit: the edge does."""
