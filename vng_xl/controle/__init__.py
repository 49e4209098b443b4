"""Published figures against computed ones, and the slips that explain a difference."""
