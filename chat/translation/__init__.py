"""Automatic translation of conversations (docs/translation.md): language detection
(``detect``), providers behind one interface (``providers``), the shop's glossary
(``glossary``), the stored translations and their Celery task (``services``, ``tasks``)."""
