"""Who did what, kept: the audit log of agent and admin actions (docs/security.md)."""
