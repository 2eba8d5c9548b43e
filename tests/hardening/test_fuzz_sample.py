"""CI's sample of scripts/fuzz.py (issue 16): every HTTP endpoint, signed and unsigned, a few dozen requests each.

The full run (1,000 per endpoint) and its figures are in docs/reliability.md.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gunmane_fuzz", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gunmane_fuzz"] = module
    spec.loader.exec_module(module)
    return module


def test_a_small_fuzz_run_of_every_endpoint_finds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    fuzz = _fuzz()
    assert set(fuzz.ENDPOINTS) == {"slack", "teams", "lineworks"}
    assert fuzz.main(["--per-endpoint", "40", "--seed", "11"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "endpoint" not in line]
    assert len(rows) == 3 and all(row.rstrip().endswith("| yes | 0 |") for row in rows)
    assert "FAIL" not in out


def test_the_fuzzer_notices_a_failure(capsys: pytest.CaptureFixture[str]) -> None:
    """The checks can fail: an endpoint that lets an unsigned request through is reported."""
    fuzz = _fuzz()

    class Careless(fuzz.LineWorks):  # type: ignore[name-defined,misc]
        def unsigned(self, body: object, rng: object) -> object:
            return self.signed(body, rng)   # "unsigned" requests that are in fact signed get in

    fuzz.ENDPOINTS = {"careless": Careless}
    assert fuzz.main(["--per-endpoint", "10", "--seed", "3"]) == 1
    assert "FAIL" in capsys.readouterr().out
