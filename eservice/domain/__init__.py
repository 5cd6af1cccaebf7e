"""Domain rules in plain Python: no request, no flashing. Views call these and commit."""
