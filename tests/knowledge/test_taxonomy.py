import pytest

from knowledge.taxonomy import UnknownTerm, get_taxonomy


def test_contract_codes_and_labels():
    tax = get_taxonomy()
    assert len(tax.fields) == 12 and len(tax.processes) == 14 and len(tax.schemes) == 9
    assert tax.fields["bridge"] == "橋梁"
    assert tax.processes["procurement"] == "発注・契約"
    assert tax.schemes["jv_cooperative"] == "JV・事業協同組合"
    assert tax.label("agri_forest_road") == "農道・林道"


def test_every_term_has_english_and_japanese_description():
    terms = get_taxonomy().terms()
    assert len(terms) > 20
    for term in terms:
        assert term.en and term.description.endswith("。")


def test_normalize_accepts_code_or_label():
    tax = get_taxonomy()
    assert tax.normalize("field", "橋梁") == "bridge"
    assert tax.normalize("field", " Bridge ") == "bridge"
    assert tax.normalize("scheme", "ＪＶ・事業協同組合") == "jv_cooperative"
    assert tax.normalize_all("processes", ["点検", "inspection", "除雪"]) == ["inspection", "snow_removal"]


def test_normalize_rejects_unknown_listing_allowed_values():
    with pytest.raises(UnknownTerm) as err:
        get_taxonomy().normalize("field", "橋")
    assert "橋" in str(err.value) and "bridge (橋梁)" in str(err.value) and "port (港湾・臨港道路)" in str(err.value)
    with pytest.raises(UnknownTerm):
        get_taxonomy().normalize("process", "bridge")  # a field code is not a process


def test_loaded_once():
    assert get_taxonomy() is get_taxonomy()
