"""Language detection on a labelled set of chat messages (bench/data/language_detect.tsv).

    .venv/bin/python bench/translation_detect.py

Prints, for the desk's detector (chat/translation/detect.py) and for bare Lingua on the same
texts (its best guess, no rules): accuracy on the labelled texts, how many of them it
declined to guess (``None``), how many it got wrong, and how the "too short to tell" texts
(label ``-``) came out. A declined guess is not an error the shopper sees: the conversation's
known language is used instead; a wrong guess translates into the wrong language.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "language_detect.tsv"
# Written after the thresholds were set on DATA, never used to tune them.
HELD_OUT = ROOT / "bench" / "data" / "language_detect_heldout.tsv"


def labelled(path: Path = DATA) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        rows.append((label, text))
    return rows


def score(guess_of: object, rows: list[tuple[str, str]]) -> dict[str, object]:
    right = declined = wrong = short_declined = 0
    mistakes = []
    for label, text in rows:
        guess = guess_of(text)  # type: ignore[operator]
        if label == "-":
            short_declined += guess is None
            continue
        if guess == label:
            right += 1
        elif guess is None:
            declined += 1
            mistakes.append(f"declined {label}: {text}")
        else:
            wrong += 1
            mistakes.append(f"{guess} for {label}: {text}")
    labelled_count = sum(1 for label, _t in rows if label != "-")
    return {
        "labelled": labelled_count,
        "right": right,
        "declined": declined,
        "wrong": wrong,
        "accuracy": right / labelled_count,
        "short": sum(1 for label, _t in rows if label == "-"),
        "short_declined": short_declined,
        "mistakes": mistakes,
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from chat.translation.detect import detect_language, detector

    sets = {"tuning set": labelled(DATA), "held-out set": labelled(HELD_OUT)}
    for rows in sets.values():
        for _label, text in rows:  # load every model outside the timing
            detect_language(text)

    def bare(text: str) -> str | None:
        found = detector().detect_language_of(text)
        return None if found is None else found.iso_code_639_1.name.lower()

    for (set_name, rows), (name, guess_of) in (
        (s, g)
        for s in sets.items()
        for g in (("desk detector", detect_language), ("bare lingua", bare))
    ):
        start = time.process_time()
        result = score(guess_of, rows)
        cpu = (time.process_time() - start) / len(rows) * 1000
        print(
            f"{set_name}, {name}: {result['right']}/{result['labelled']} right "
            f"({result['accuracy']:.1%}), {result['declined']} declined, "
            f"{result['wrong']} wrong; too-short texts declined "
            f"{result['short_declined']}/{result['short']}; {cpu:.2f} ms CPU per text"
        )
        for line in result["mistakes"]:  # type: ignore[attr-defined]
            print("   ", line)


if __name__ == "__main__":
    main()
