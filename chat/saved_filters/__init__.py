"""Saved filters: an agent names the list's current filters and picks them again from the
sidebar; shared ones show to every agent (docs/protocol.md, "Extension (saved filters)")."""
