"""`gunmane analyze`: the intake card the dialogue builds from a first message.

Also for the secretariat: consultations that arrive by mail or phone can be run
through it one by one or as a JSONL batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from bot.cli.common import database, handle_errors
from bot.dialogue.cleaning import MAX_CHARS
from bot.dialogue.understand import analyze
from bot.terminal import json_line, printable
from knowledge.cards import IntakeCard
from knowledge.errors import GunmaneError, ValidationFailed
from knowledge.jsonl import read_jsonl
from knowledge.municipalities import MunicipalityDirectory
from matching.embedders import Embedder, make_embedder
from matching.intake import code_label


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the main app."""
    app.command("analyze")(analyze_command)


@handle_errors
def analyze_command(
    text: str | None = typer.Argument(None, help="the first message, e.g. 「村道の橋の点検、職員が足りない」"),
    as_json: bool = typer.Option(False, "--json", help="print the contract's Intake analysis object"),
    prefecture: str | None = typer.Option(None, "--prefecture", help="the asker's prefecture (奈良県)"),
    municipality: str | None = typer.Option(None, "--municipality", help="the asker's municipality (宇陀市)"),
    batch: Path | None = typer.Option(
        None, "--batch", help="JSONL file of {\"text\", \"prefecture\"?, \"municipality\"?}, one card per line"
    ),
) -> None:
    """Understand a first message: municipality, sub-issues, fields, processes, pains, wanted help."""
    if (text is None) == (batch is None):
        raise GunmaneError("Give either TEXT or --batch FILE.jsonl (not both, not neither).")
    inputs: list[tuple[str | None, dict[str, Any]]] = (
        list(read_batch(batch)) if batch is not None
        else [(None, {"text": text, "prefecture": prefecture, "municipality": municipality})]
    )
    notes = [cap_text(obj, where) for where, obj in inputs]
    with database("analyze") as (cfg, db):
        embedder = make_embedder(cfg)
        with db.session() as session:
            directory = MunicipalityDirectory(session)
        cards = analyse_all(inputs, directory, embedder, defaults=(prefecture, municipality))
    for card, note in zip(cards, notes, strict=True):
        if note is not None:   # JSON output stays one object per line: the note goes to stderr there
            typer.echo(note, err=as_json)
        typer.echo(json_line(card.to_json()) if as_json else printable(render_card(card)))


def cap_text(obj: dict[str, Any], where: str | None) -> str | None:
    """Cut ``obj["text"]`` to the chat's limit (``MAX_CHARS``), like the chat does; the note saying so, or None."""
    text = obj["text"]
    if len(text) <= MAX_CHARS:
        return None
    obj["text"] = text[:MAX_CHARS]
    place = f"{where}: " if where else ""
    return (f"{place}注意: 入力が{len(text):,}文字あったため、最初の{MAX_CHARS:,}文字だけを読みました"
            f"（the text has {len(text):,} characters; only the first {MAX_CHARS:,} were read）。")


def read_batch(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(``FILE:LINE``, object) for every non-blank line; every bad line reported at once."""
    return read_jsonl(path, lambda obj, number: (f"{path}:{number}", _batch_object(obj)))


def _batch_object(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ValueError('needs an object with a string "text", like '
                         '{"text": "…", "prefecture": "奈良県", "municipality": "宇陀市"}')
    bad = [k for k in ("prefecture", "municipality") if obj.get(k) is not None and not isinstance(obj[k], str)]
    if bad:
        raise ValueError(f"{', '.join(bad)} must be a string")
    return obj


def analyse_all(
    inputs: list[tuple[str | None, dict[str, Any]]],
    directory: MunicipalityDirectory,
    embedder: Embedder,
    *,
    defaults: tuple[str | None, str | None] = (None, None),
) -> list[IntakeCard]:
    cards: list[IntakeCard] = []
    problems: list[str] = []
    for where, obj in inputs:
        try:
            cards.append(
                analyze(
                    obj["text"],
                    directory=directory,
                    embedder=embedder,
                    prefecture=obj.get("prefecture") or defaults[0],
                    municipality=obj.get("municipality") or defaults[1],
                )
            )
        except GunmaneError as exc:
            if where is None:
                raise
            problems.append(f"{where}: {exc}")
    if problems:
        raise ValidationFailed(problems)
    return cards


def render_card(card: IntakeCard) -> str:
    """The card as a person reads it (Japanese)."""
    lines = ["課題カード"]
    if card.municipality is not None:
        m = card.municipality
        lines.append(f"  自治体: {m.prefecture}" + ("（県職員）" if m.name == m.prefecture else f" {m.name}"))
    elif card.ambiguous:
        options = "、".join(f"{m.prefecture}{m.name}" for m in card.ambiguous)
        lines.append(f"  自治体: どちらか確認が必要です（{options}）")
    else:
        lines.append("  自治体: 未確認")
    if not card.sub_issues:
        lines.append("  課題: 読み取れる内容がありませんでした")
    for i, sub in enumerate(card.sub_issues, start=1):
        lines.append(f"  課題{i}: {sub.text}")
        for title, kind, codes in (
            ("分野", "field", sub.fields),
            ("業務", "process", sub.processes),
            ("困りごと", "pain", sub.pains),
            ("ほしい支援", "wanted", sub.wanted),
        ):
            shown = "、".join(code_label(kind, c) for c in codes) or "（未確認）"  # type: ignore[arg-type]
            lines.append(f"    {title}: {shown}")
    return "\n".join(lines)
