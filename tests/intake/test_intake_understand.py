"""analyze: the whole intake card from a first message, municipality included."""

from __future__ import annotations

import pytest

from bot.dialogue.understand import analyze, find_municipality
from knowledge.errors import NotFound
from knowledge.municipalities import MunicipalityDirectory


def _where(text: str, directory: MunicipalityDirectory) -> tuple[str, str] | None:
    found, _ = find_municipality(text, directory)
    return None if found is None else (found.prefecture, found.name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("奈良県の宇陀市です。橋の点検が追いつかない", ("奈良県", "宇陀市")),
        ("宇陀市役所の者ですが、相談です", ("奈良県", "宇陀市")),
        ("うちの町(群馬県甘楽町)で下水のマンホール", ("群馬県", "甘楽町")),
        ("南相馬市の道路", ("福島県", "南相馬市")),
        ("大津市です", ("滋賀県", "大津市")),
        ("広島県の府中市です", ("広島県", "府中市")),
        ("福島の伊達市で除雪", ("福島県", "伊達市")),
        ("三条市みたいな包括委託をやりたい。うちは燕市", ("新潟県", "燕市")),
        ("奈良県の道路課です。町村の橋の点検を代行したい", ("奈良県", "奈良県")),
        ("長野県庁の技術職です", ("長野県", "長野県")),
        ("奈良県の橋の点検のことで", None),
        ("うちの町の橋の点検", None),
        ("東北区域の橋", None),
    ],
)
def test_municipality_in_text(text: str, expected: tuple[str, str] | None, directory: MunicipalityDirectory) -> None:
    assert _where(text, directory) == expected


@pytest.mark.parametrize("name", ["府中市", "伊達市"])
def test_shared_name_is_ambiguous(name: str, directory: MunicipalityDirectory) -> None:
    card = analyze(f"{name}で橋の点検が追いつかない", directory=directory)
    assert card.municipality is None
    assert {m.name for m in card.ambiguous} == {name} and len(card.ambiguous) == 2
    assert card.to_json()["municipality"]["ambiguous"][0]["name"] == name


def test_arguments_win_over_the_text(directory: MunicipalityDirectory) -> None:
    card = analyze("燕市の話ではなく", directory=directory, prefecture="奈良県", municipality="宇陀市")
    assert (card.municipality.prefecture, card.municipality.name) == ("奈良県", "宇陀市")  # type: ignore[union-attr]


def test_shared_name_argument_narrowed_by_the_text(directory: MunicipalityDirectory) -> None:
    card = analyze("広島の者です", directory=directory, municipality="府中市")
    assert card.municipality is not None and card.municipality.prefecture == "広島県"
    assert len(analyze("橋", directory=directory, municipality="府中市").ambiguous) == 2


def test_prefectural_staff_argument(directory: MunicipalityDirectory) -> None:
    card = analyze("橋", directory=directory, prefecture="奈良県", municipality="奈良県")
    assert card.municipality is not None and card.municipality.name == "奈良県"


def test_unknown_municipality_argument_names_close_ones(directory: MunicipalityDirectory) -> None:
    with pytest.raises(NotFound, match="宇陀市"):
        analyze("橋", directory=directory, prefecture="奈良県", municipality="宇田市")


def test_sub_issues_on_the_card(directory: MunicipalityDirectory) -> None:
    card = analyze(
        "宇陀市です。橋の点検が追いつかないのと、公園の草刈りの委託先が見つからないのと、二つ相談したい",
        directory=directory,
    )
    data = card.to_json()
    assert data["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}
    assert [(s["fields"], s["processes"]) for s in data["sub_issues"]] == [
        (["bridge"], ["inspection"]),
        (["park"], ["weeding", "procurement"]),
    ]
    assert "staff_shortage" in data["sub_issues"][0]["pains"]
    assert all("advisor" in s["wanted"] for s in data["sub_issues"])


def test_english_message(directory: MunicipalityDirectory) -> None:
    card = analyze(
        "We are from Uda, 宇陀市. Our small bridges need inspection and we have no engineer.", directory=directory
    )
    assert card.municipality is not None and card.municipality.name == "宇陀市"
    assert card.sub_issues[0].fields == ["bridge"] and card.sub_issues[0].processes == ["inspection"]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "<@U123> <!channel>", "x" * 10_000, "<p>府中市</p>"])
def test_bad_input_never_raises(text: str, directory: MunicipalityDirectory) -> None:
    card = analyze(text, directory=directory)
    assert card.to_json()["text"] == text
    assert all(not s.fields for s in card.sub_issues)
