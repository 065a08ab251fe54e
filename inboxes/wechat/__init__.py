"""WeChat Official Account: signed (and, in safe mode, AES-encrypted) pushes in, the
customer-service message API out, with wechatpy (docs/channels.md)."""
