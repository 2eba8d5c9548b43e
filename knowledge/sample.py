"""Fictional demo data (`gunmane db seed --sample`), loaded through the real importer.

The files in ``data/sample/`` follow the data-format contract. Every person,
contact and organisation in them is invented and marked (架空); contacts use
``example.jp`` or made-up chat ids. Loading twice changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from knowledge.io import ImportReport, import_records
from knowledge.municipalities import MunicipalityDirectory

SAMPLE_DIR = Path(__file__).parent / "data" / "sample"
SAMPLE_FILES = {
    "advisor": "advisors.jsonl",
    "case": "cases.jsonl",
    "engineer": "engineers.jsonl",
    "training": "trainings.jsonl",
}
SAMPLE_ACTOR = "seed"


def load_sample(session: Session) -> dict[str, ImportReport]:
    """Import every sample file; the import report per record kind."""
    directory = MunicipalityDirectory(session)
    return {
        kind: import_records(session, kind, SAMPLE_DIR / name, actor=SAMPLE_ACTOR, directory=directory)
        for kind, name in SAMPLE_FILES.items()
    }


def seed_sample(session: Session) -> dict[str, int]:
    """Load the sample data (idempotent); how many records of each kind the sample holds."""
    return {kind: report.total for kind, report in load_sample(session).items()}
