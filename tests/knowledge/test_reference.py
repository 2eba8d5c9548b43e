from sqlalchemy import func, select

from knowledge.models import ConsultationWindow, Municipality, Prefecture
from knowledge.municipalities import MunicipalityDirectory
from knowledge.reference import seed_reference


def test_reference_has_every_municipality_and_window(db):
    with db.session() as s:
        assert s.scalar(select(func.count(Municipality.id))) == 1741
        assert s.scalar(select(func.count(ConsultationWindow.id))) == 10
        assert s.get(Prefecture, "奈良県").window.phone == "06-6942-1141"


def test_seed_reference_is_idempotent(db):
    with db.session() as s:
        seed_reference(s)
    with db.session() as s:
        assert s.scalar(select(func.count(Municipality.id))) == 1741
        assert s.scalar(select(func.count(ConsultationWindow.id))) == 10


def test_directory_ambiguous_and_prefectural_staff(db):
    with db.session() as s:
        directory = MunicipalityDirectory(s)
    assert {p.prefecture for p in directory.candidates("伊達市")} == {"北海道", "福島県"}
    staff = directory.get("奈良県", "奈良県")
    capital = directory.get("奈良県", "奈良市")
    assert staff is not None and capital is not None and (staff.lat, staff.lng) == (capital.lat, capital.lng)
    assert directory.window_for("沖縄県").bureau.startswith("沖縄総合事務局")
