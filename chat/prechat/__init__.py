"""The pre-chat form: per web channel, fields the shopper fills in before the first message
(name, email, phone, custom attributes), stored on the contact and the conversation.
docs/protocol.md, "Extension (pre-chat form)"."""
