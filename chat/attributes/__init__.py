"""Custom attributes: typed fields a manager defines for conversations and contacts
(``chat.models.AttributeDefinition``), values agents set beside the conversation, a filter of
the workspace list, and a condition of automation rules. docs/protocol.md, "Extension
(custom attributes)"."""
