"""REST transport of the orders app."""
