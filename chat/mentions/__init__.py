"""@mentions in private notes: who was named, the live notice, the Mentions view
(docs/protocol.md, "Extension (mentions)")."""
