"""A Japanese font for the charts, so labels never render as tofu boxes.

The font is IPAexGothic as shipped inside the ``japanize-matplotlib`` package
(IPA Font License, redistributable); its file is registered with matplotlib
directly, without importing that package (it patches global settings). A
system font (Noto Sans CJK JP, IPAexGothic from Debian) is the fallback.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.typing import RcKeyType

from knowledge.errors import ConfigError

SYSTEM_FAMILIES = ("IPAexGothic", "Noto Sans CJK JP", "IPAGothic", "TakaoGothic")


def packaged_font() -> Path | None:
    """IPAexGothic inside the japanize-matplotlib package, found without importing it."""
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def japanese_font_family() -> str:
    """The family name to put first in ``font.family``; registers the packaged font once."""
    packaged = packaged_font()
    if packaged is not None:
        font_manager.fontManager.addfont(str(packaged))
        return font_manager.FontProperties(fname=str(packaged)).get_name()
    available = {f.name for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        if family in available:
            return family
    raise ConfigError(
        "No Japanese font for the report charts. Install one: `pip install japanize-matplotlib` "
        "(a dependency of gunmane) or `apt-get install fonts-noto-cjk`."
    )


def rc() -> dict[RcKeyType, Any]:
    """matplotlib settings for a chart with Japanese labels."""
    return {"font.family": [japanese_font_family(), "DejaVu Sans"], "axes.unicode_minus": False}
