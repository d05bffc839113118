"""Generate a synthetic briefgen project: N facts over N/10 sources of about 5 KB of text each.

The text reads like wire copy, every quote is a real sentence of its source, every value is stated in its
quote, one fact in four cites a second source, and one in five belongs to a topic of evolving figures, as in
a real fact base. The same N gives the same project.

    python benchmarks/generate.py OUT_DIR --facts 1000
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

CATEGORIES = {"troops": "Troops", "equipment": "Equipment", "agreements": "Agreements", "drones": "Drones", "context": "Context"}
ACTORS = ["the defence ministry", "the joint staff", "intelligence officials", "a senior diplomat", "local officials",
          "a military spokesman", "the foreign ministry", "analysts at a research institute"]
SUBJECTS = ["troops", "artillery pieces", "rocket launchers", "drones", "shipping containers", "missiles",
            "armoured vehicles", "engineers", "trainers", "supply trucks"]
PLACES = ["the northern border", "the coastal region", "the capital", "the front line", "the river crossing",
          "the eastern provinces", "a training ground", "the southern port"]
VERBS = ["sent", "moved", "delivered", "deployed", "transferred", "stationed"]
FILLER = ("Officials declined to give further details. The report could not be independently verified. "
          "Diplomats in the region said talks were continuing. The statement came after weeks of speculation. ")


def sentence(rng: random.Random, n: int) -> tuple[str, int]:
    """A sentence stating one figure, and the figure."""
    value = rng.choice([rng.randint(2, 99), rng.randint(100, 999), rng.randint(1, 40) * 1000 + rng.choice([0, 500])])
    words = f"{value:,}"
    text = (
        f"According to {rng.choice(ACTORS)}, about {words} {rng.choice(SUBJECTS)} were {rng.choice(VERBS)} "
        f"to {rng.choice(PLACES)} in report {n}"
    )
    return text, value


def generate(root: Path, facts: int, seed: int = 0) -> Path:
    rng = random.Random(seed + facts)
    (root / "facts").mkdir(parents=True, exist_ok=True)
    (root / "seeds").mkdir(exist_ok=True)
    n_sources = max(1, facts // 10)
    (root / "briefgen.yaml").write_text(
        "version: 1\ntitle: Synthetic briefing\nsubtitle: A generated project for benchmarks\n"
        "date: 2025-06-30\nmarking: BENCHMARK\ncategories:\n"
        + "".join(f"  {k}: {v}\n" for k, v in CATEGORIES.items())
        + "stale_after_days: null\n"
    )
    # Each source holds ten quotable sentences among filler, about 5 KB in all.
    source_sentences: list[list[tuple[str, int]]] = []
    registry = []
    for s in range(n_sources):
        sentences = [sentence(rng, s * 10 + i) for i in range(10)]
        source_sentences.append(sentences)
        paragraphs = [f"{text}. {FILLER * 2}" for text, _ in sentences]
        body = "\n\n".join(textwrap.fill(p, 90) for p in paragraphs)
        (root / "seeds" / f"source-{s:05d}.txt").write_text(f"Report {s}\n\n{body}\n")
        registry.append(
            f"- id: source-{s:05d}\n  file: source-{s:05d}.txt\n  title: Synthetic report number {s}\n"
            f"  publisher: Example Wire\n  url: https://example.org/{s}\n  published: 2025-06-{1 + s % 28:02d}\n"
            f"  reliability: {'ABCDEF'[s % 6]}\n"
        )
    (root / "seeds" / "sources.yaml").write_text("\n".join(registry))
    files: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    categories = list(CATEGORIES)
    for f in range(facts):
        s, i = divmod(f, 10)
        s %= n_sources
        text, value = source_sentences[s][i]
        category = categories[f % len(categories)]
        topic = f"  topic: series-{f // 25:04d}\n  note: Figures in this series come from different reports.\n" if f % 5 == 0 else ""
        # One fact in four is also reported by a second source, as in a real fact base.
        second = ""
        if f % 4 == 0 and n_sources > 1:
            other = (s + 1) % n_sources
            second = f"    - source: source-{other:05d}\n      quote: \"{source_sentences[other][i][0]}\"\n"
        files[category].append(
            f"- id: fact-{f:06d}\n"
            f"  claim: >-\n    {text.replace('According to', 'As reported by')}.\n"
            f"  value: {value}\n  qualifier: about\n{topic}"
            f"  as_of: 2025-0{1 + f % 5}\n"
            f"  sources:\n    - source: source-{s:05d}\n      quote: \"{text}\"\n"
            f"      attribution: {text.split(',')[0].removeprefix('According to ')}\n{second}"
        )
    for category, items in files.items():
        (root / "facts" / f"{category}.yaml").write_text("\n".join(items) or "[]\n")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--facts", type=int, default=1000)
    args = parser.parse_args()
    generate(args.out, args.facts)
    print(f"wrote a project with {args.facts} facts to {args.out}")


if __name__ == "__main__":
    main()
