"""Sentence vectors of unmatched-question topic keys (hot-question clusters)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicVector(models.Model):
    """The sentence vector of an unmatched-question topic key, from the bot's embedder
    (chat.bot.matching.embedder): hot-question clusters join keys whose vectors are close, so
    周末可以发货吗 and 星期六发货吗 are one cluster. Computed in Celery when the rollup imports a
    topic key it has no vector for; never per report."""

    topic_key = models.CharField(max_length=120, unique=True)
    # The embedder's name: a vector from another model is not compared.
    model = models.CharField(max_length=200)
    vector = models.BinaryField()  # float32 little-endian, L2-normalised
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic vector")
        verbose_name_plural = _("topic vectors")

    def __str__(self) -> str:
        return self.topic_key
