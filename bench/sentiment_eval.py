"""Sentiment methods compared on the labelled shopper lines.

    .venv/bin/python bench/sentiment_eval.py            # every method, dev and test halves
    .venv/bin/python bench/sentiment_eval.py --show-errors

For each method, on the dev half (where its cut-off is chosen) and the test half (reported):
precision and recall of "angry" (score at or below the method's angry cut-off, which hands
over at once), neutral lines handed over at once, neutral lines at or below the mild cut-off
(two of those in a row hand over too), and per language. Methods:

- ``desk`` — ``chat.bot.sentiment.sentiment_score``, what the bot runs, with the bot's own
  cut-offs (NEGATIVE_STRONG -0.6, NEGATIVE -0.3);
- ``vader+snownlp`` — VADER's compound score for English (vaderSentiment, MIT) and SnowNLP's
  probability mapped to [-1, 1] for Chinese; cut-offs chosen on the dev half (the largest
  recall with precision >= 0.85 and no neutral line handed over);
- ``lexicon-0`` — the lexicon as it was before this set was written (frozen copy of the
  first version, kept to show what the changes bought), with the bot's cut-offs.

No network, no model download. Pure CPU, a second or two.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sentiment_lines import LINES, Line, split  # noqa: E402

LANGUAGES = ("en", "zh-hans")
# The bot's own cut-offs (chat/bot/conf.py: NEGATIVE_STRONG, NEGATIVE).
DESK: dict[str, tuple[float, float]] = {language: (-0.6, -0.3) for language in LANGUAGES}


@dataclass
class Figures:
    n: int
    angry: int
    predicted: int
    correct: int
    neutral: int
    neutral_handover: int
    neutral_mild: int
    errors: list[tuple[Line, float]]

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.angry if self.angry else 1.0

    def row(self, name: str) -> str:
        return (
            f"{name:<26} {self.n:>4} {self.precision:>9.3f} {self.recall:>7.3f}"
            f"   {self.correct:>3}/{self.predicted:<3}"
            f" {self.neutral_handover:>3}/{self.neutral:<3} {self.neutral_mild:>5}"
        )


Cuts = dict[str, tuple[float, float]]  # language → (angry cut-off, mild cut-off)


def measure(lines: list[Line], score: Callable[[Line], float], cuts: Cuts) -> Figures:
    f = Figures(len(lines), 0, 0, 0, 0, 0, 0, [])
    for line in lines:
        s = score(line)
        strong, mild = cuts[line.language]
        angry = s <= strong
        f.angry += line.label == "angry"
        f.predicted += angry
        f.correct += angry and line.label == "angry"
        if line.label == "neutral":
            f.neutral += 1
            f.neutral_handover += angry
            f.neutral_mild += s <= mild
        if angry != (line.label == "angry") or (line.label == "neutral" and s <= mild):
            f.errors.append((line, s))
    return f


def desk_score(line: Line) -> float:
    from chat.bot.sentiment import sentiment_score

    return sentiment_score(line.text)


def vader_snownlp_score() -> Callable[[Line], float] | None:
    try:
        from snownlp import SnowNLP
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    vader = SentimentIntensityAnalyzer()

    def score(line: Line) -> float:
        if line.language == "en":
            return float(vader.polarity_scores(line.text)["compound"])
        return 2 * float(SnowNLP(line.text).sentiments) - 1

    return score


def tune(lines: list[Line], score: Callable[[Line], float]) -> Cuts:
    """Per language, the cut-off with the largest angry recall at precision >= 0.85 and no
    neutral line handed over on the dev half; the mild cut-off halfway to zero."""
    cuts: Cuts = {}
    for language in LANGUAGES:
        part = [line for line in lines if line.language == language]
        best, best_recall = (-1.01, -0.5), -1.0
        for cut in sorted({score(line) for line in part}):
            f = measure(part, score, {language: (cut, cut / 2)})
            if f.precision >= 0.85 and f.neutral_handover == 0 and f.recall > best_recall:
                best, best_recall = (cut, cut / 2), f.recall
        cuts[language] = best
    return cuts


def report(
    name: str, lines: list[Line], score: Callable[[Line], float], cuts: Cuts, show: bool
) -> None:
    for lang in ("all", *LANGUAGES):
        part = [line for line in lines if lang == "all" or line.language == lang]
        f = measure(part, score, cuts)
        print(f.row(f"{name} [{lang}]"))
        if show and lang == "all":
            for line, s in f.errors:
                print(f"      {s:+.3f} {line.label:<8} {line.style:<9} {line.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    dev, test = split(LINES)
    methods: list[tuple[str, Callable[[Line], float], Cuts]] = [("desk", desk_score, DESK)]
    try:
        from bench.sentiment_lexicon0 import sentiment_score as old

        methods.append(("lexicon-0", lambda line: old(line.text), DESK))
    except ImportError:
        pass
    other = vader_snownlp_score()
    if other is None:
        print("vader+snownlp: not installed (pip install vaderSentiment snownlp), skipped")
    else:
        methods.append(("vader+snownlp", other, tune(dev, other)))
    print(
        f"{len(LINES)} labelled lines: dev {len(dev)}, test {len(test)} "
        f"(angry {sum(x.label == 'angry' for x in test)}, "
        f"neutral {sum(x.label == 'neutral' for x in test)} in test)"
    )
    header = (
        f"{'method [language]':<26} {'n':>4} {'precision':>9} {'recall':>7}"
        f"   {'hit':>7} {'neu-ho':>7} {'mild':>5}"
    )
    for half, lines in (("dev", dev), ("test", test)):
        print(f"\n== {half} half ==\n{header}")
        for name, score, cuts in methods:
            report(name, lines, score, cuts, args.show_errors and half == "dev")
    print("\ncut-offs (angry/mild):")
    for name, _score, cuts in methods:
        print(
            f"  {name}: " + ", ".join(f"{lang} {a:+.2f}/{m:+.2f}" for lang, (a, m) in cuts.items())
        )
    print(
        "precision/recall: of 'angry' (score <= angry cut-off: hands over at once); "
        "neu-ho: neutral lines handed over at once; mild: neutral lines <= the mild cut-off "
        "(two in a row hand over)"
    )


if __name__ == "__main__":
    main()
