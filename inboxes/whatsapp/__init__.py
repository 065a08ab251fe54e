"""WhatsApp Business through Meta's Cloud API: webhooks in, Graph API out (docs/channels.md)."""
