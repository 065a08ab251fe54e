"""The desk's bot: knowledge-base answers, order look-ups, sentiment and hand-over to people.

Entry points other parts of the desk use: ``services`` (writes), ``selectors`` (reads, e.g.
``unmatched_questions`` for the hot-questions report), and the domain events ``bot.answered``,
``bot.handover`` and ``bot.feedback``. See docs/bot.md.
"""
