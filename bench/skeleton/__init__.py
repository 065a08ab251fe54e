"""A bare Channels chat: the floor the desk's message path is measured against (bench/)."""
