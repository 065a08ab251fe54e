"""A conversation's priority: services (set it, its payload) and the agents' API."""
