"""Rich media in the chat: uploads, type sniffing, image processing, storage and serving.

``listeners.connect()`` (from ``chat.listeners``) plugs the area into the chat core: the
attachment part of the message payload, file cleanup on delete and its widget strings.
"""
