"""Draw the Teams app icons: ``color.png`` (192×192) and ``outline.png`` (32×32).

Teams wants a full-colour icon and a white-on-transparent outline icon. Both
show a bridge — the infrastructure municipal engineers look after. The
colour icon adds 群マネ in IPAexGothic (shipped with japanize-matplotlib).
Regenerate with ``python -m bot.teams.icons``.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

MANIFEST_DIR = Path(__file__).parent / "manifest"
ACCENT = (31, 111, 139, 255)        # #1F6F8B, also the manifest's accentColor
WHITE = (255, 255, 255, 255)


def _bridge(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], width: int) -> None:
    """An arch bridge inside ``box`` (left, top, right, bottom): deck, arch, hangers and piers."""
    left, top, right, bottom = box
    deck_y = top + (bottom - top) * 0.62
    arch_left, arch_right = left + (right - left) * 0.08, right - (right - left) * 0.08
    cx, rx, ry = (arch_left + arch_right) / 2, (arch_right - arch_left) / 2, deck_y - top
    draw.line([(left, deck_y), (right, deck_y)], fill=WHITE, width=width)
    draw.arc((arch_left, top, arch_right, top + 2 * ry), start=180, end=360, fill=WHITE, width=width)
    for fraction in (0.3, 0.5, 0.7):
        x = left + (right - left) * fraction
        arch_y = deck_y - ry * math.sqrt(max(0.0, 1 - ((x - cx) / rx) ** 2))
        draw.line([(x, deck_y), (x, arch_y)], fill=WHITE, width=max(1, width // 2))
    for fraction in (0.12, 0.88):
        x = left + (right - left) * fraction
        draw.line([(x, deck_y), (x, bottom)], fill=WHITE, width=width)


def color_icon() -> Image.Image:
    size = 192
    image = Image.new("RGBA", (size, size), ACCENT)
    draw = ImageDraw.Draw(image)
    _bridge(draw, (28, 30, 164, 118), width=9)
    font_path = _font_path()
    if font_path is not None:
        font = ImageFont.truetype(str(font_path), 40)
        draw.text((size / 2, 150), "群マネ", font=font, fill=WHITE, anchor="mm")
    return image


def outline_icon() -> Image.Image:
    size = 32
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    _bridge(ImageDraw.Draw(image), (3, 6, 29, 27), width=2)
    return image


def _font_path() -> Path | None:
    from bot.report.fonts import packaged_font  # IPAexGothic, found without importing japanize-matplotlib

    return packaged_font()


def write_icons(directory: Path = MANIFEST_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    color, outline = directory / "color.png", directory / "outline.png"
    color_icon().save(color, optimize=True)
    outline_icon().save(outline, optimize=True)
    return color, outline


if __name__ == "__main__":
    for written in write_icons():
        print(written)
