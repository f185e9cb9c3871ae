"""Write a complete, valid synthetic cbcf-data dataset with N commitments.

    python bench/synth.py N OUT [--seed S]

Meetings, people, topics, instruments and sources grow in proportion to N; every table is
consistent, every quote is its slice of an archived text whose SHA-256 is recorded, and rows are
written in canonical (sorted) order. The same N and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cbcf_data.model.tables import MODELS, TABLES  # noqa: E402
from cbcf_data.publish import schema  # noqa: E402

PER_MEETING = 10
WORDS = ("border", "data", "joint", "police", "agency", "smuggling", "fentanyl", "firearms", "ministers",
         "cooperation", "share", "intelligence", "networks", "justice", "security", "will", "continue")
MODALITIES = ("commit", "pledge", "agree", "will", "continue", "emphasize")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + "."


def write(n: int, out: Path, seed: int = 0) -> dict[str, int]:
    """Write the dataset into `out` (created); return the row count of each table."""
    rng = random.Random(seed)
    meetings = max(1, -(-n // PER_MEETING))
    people_per_side = max(2, meetings // 10)
    topics = max(3, n // 100)
    sources = max(1, n // 500)
    instruments = max(1, n // 100)
    records = out / "records"
    (records / "sources").mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(TABLES, 0)

    with ExitStack() as stack:
        writers = {}
        for model in MODELS:
            file = stack.enter_context((records / f"{model.table}.csv").open("w", encoding="utf-8", newline=""))
            writers[model.table] = csv.writer(file, lineterminator="\n")
            writers[model.table].writerow(list(model.model_fields))

        def row(table: str, values: dict[str, object]) -> None:
            counts[table] += 1
            writers[table].writerow(["" if values.get(f) is None else values[f] for f in TABLES[table].model_fields])

        source_ids = [f"synthetic-source-{i:06d}" for i in range(sources)]
        sentences: dict[str, list[tuple[str, int]]] = {}
        for source_id in source_ids:
            parts, offsets, position = [], [], 0
            for _ in range(50):
                sentence = _sentence(rng)
                offsets.append((sentence, position))
                parts.append(sentence)
                position += len(sentence) + 1
            text = " ".join(parts) + "\n"
            (records / "sources" / f"{source_id}.txt").write_text(text, encoding="utf-8", newline="")
            sentences[source_id] = offsets
            row("sources", {"id": source_id, "title": f"Synthetic source {source_id[-6:]}", "title_basis": "printed",
                            "kind": "official",
                            "reliability": "high", "archive_path": f"sources/{source_id}.txt",
                            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "language": "en"})

        meeting_ids = sorted(f"cbcf-{2022 + k % 70}-s{k:07d}" for k in range(meetings))
        for meeting_id in meeting_ids:
            year = meeting_id[5:9]
            row("meetings", {"id": meeting_id, "phase": "reestablished", "existence_basis": "stated",
                             "start_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                             "date_precision": "day", "date_basis": "stated", "city": "Ottawa",
                             "subdivision": "CA-ON", "host_country": "CA", "host_basis": "stated",
                             "summary": _sentence(rng)})

        people = sorted([(f"ca-person-{i:06d}", "CA") for i in range(people_per_side)]
                        + [(f"us-person-{i:06d}", "US") for i in range(people_per_side)])
        for person_id, country in people:
            row("people", {"id": person_id, "name": person_id.replace("-", " ").title(), "country": country})
        row("organizations", {"id": "ca-justice", "name": "Department of Justice Canada",
                              "name_fr": "Ministère de la Justice Canada", "country": "CA", "classification": "ministry"})
        row("organizations", {"id": "us-doj", "name": "U.S. Department of Justice", "country": "US",
                              "classification": "department"})

        topic_ids = [f"topic-{i:06d}" for i in range(topics)]
        for i, topic_id in enumerate(topic_ids):
            row("topics", {"id": topic_id, "label": f"Topic {i}", "label_fr": f"Sujet {i}",
                           "parent_id": topic_ids[0] if i else None, "description": _sentence(rng)})
        instrument_ids = [f"instrument-{i:06d}" for i in range(instruments)]
        for instrument_id in instrument_ids:
            row("instruments", {"id": instrument_id, "title": f"Synthetic instrument {instrument_id[-6:]}",
                                "title_basis": "printed", "kind": "mou", "jurisdiction": "bilateral",
                                "source_id": source_ids[0]})
            row("instrument_parties", {"instrument_id": instrument_id, "organization_id": "us-doj",
                                       "role": "signatory", "basis": "stated", "source_id": source_ids[0]})

        made = 0
        for index, meeting_id in enumerate(meeting_ids):
            source_id = source_ids[index % sources]
            pair = sorted([f"ca-person-{index % people_per_side:06d}", f"us-person-{index % people_per_side:06d}"])
            for person_id in pair:
                us = person_id.startswith("us")
                row("attendances", {"meeting_id": meeting_id, "person_id": person_id, "role": "Minister",
                                    "organization_id": "us-doj" if us else "ca-justice", "delegation": "US" if us else "CA",
                                    "capacity": "guest" if us else "host", "capacity_basis": "stated",
                                    "status": "attended", "source_id": source_id})
            for topic_id in sorted({topic_ids[index % topics], topic_ids[(index * 7 + 1) % topics]}):
                row("meeting_topics", {"meeting_id": meeting_id, "topic_id": topic_id, "source_id": source_id})
            start = None
            for number in range(1, min(PER_MEETING, n - made) + 1):
                commitment_id = f"{meeting_id}-c{number:02d}"
                quote, offset = rng.choice(sentences[source_id])
                row("commitments", {"id": commitment_id, "meeting_id": meeting_id, "summary": _sentence(rng),
                                    "modality": rng.choice(MODALITIES), "parties": "both", "source_id": source_id,
                                    "quote": quote, "quote_start": offset, "quote_end": offset + len(quote)})
                row("commitment_topics", {"commitment_id": commitment_id, "topic_id": topic_ids[made % topics]})
                if number == 1:
                    start = f"{meeting_id[5:9]}-12-31"
                    row("assessments", {"commitment_id": commitment_id, "party": "both", "as_of": start,
                                        "status": "in-progress", "source_id": source_id, "note": _sentence(rng)})
                made += 1
            row("instrument_mentions", {"meeting_id": meeting_id, "instrument_id": instrument_ids[index % instruments],
                                        "relation": "referenced", "relation_basis": "stated",
                                        "source_id": source_id})
            row("meeting_sources", {"meeting_id": meeting_id, "source_id": source_id})

    base = json.loads((Path(__file__).resolve().parent.parent / "datapackage.json").read_text(encoding="utf-8"))
    base.update(name="cbcf-data-synthetic", title=f"Synthetic cbcf-data dataset ({n} commitments, seed {seed})")
    (out / "datapackage.json").write_text(schema.dumps(schema.descriptor(base)), encoding="utf-8")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of commitments")
    parser.add_argument("out", type=Path, help="folder to write the dataset into")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    counts = write(args.n, args.out, args.seed)
    print(json.dumps(counts, indent=2))


if __name__ == "__main__":
    main()
