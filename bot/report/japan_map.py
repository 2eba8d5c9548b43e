"""A map of Japan's 47 prefectures from japanmap's vector data, drawn with matplotlib.

``japanmap.picture`` needs OpenCV; the boundary points (``pref_points``,
Hokkaido and Okinawa moved closer as in japanmap's own pictures) are enough
to fill one polygon per prefecture.
"""

from __future__ import annotations

from functools import lru_cache

import japanmap
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.patches import Polygon

PREFECTURES: tuple[str, ...] = tuple(japanmap.pref_names[1:])   # index 0 is a placeholder; JIS order


@lru_cache(maxsize=1)
def outlines() -> dict[str, list[tuple[float, float]]]:
    """Prefecture name → boundary points (longitude, latitude)."""
    points = japanmap.pref_points()  # type: ignore[no-untyped-call]
    return {name: [(float(p[0]), float(p[1])) for p in points[i]] for i, name in enumerate(PREFECTURES)}


def draw(ax: Axes, values: dict[str, float], cmap: Colormap, norm: Normalize, *, empty: str = "#eeeeee") -> None:
    """Fill each prefecture by its value; prefectures without one in ``empty``."""
    patches, colours = [], []
    for name, boundary in outlines().items():
        patches.append(Polygon(boundary, closed=True))
        value = values.get(name, 0)
        colours.append(cmap(norm(value)) if value else empty)
    ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors="#555555", linewidths=0.4))
    xs = [x for b in outlines().values() for x, _ in b]
    ys = [y for b in outlines().values() for _, y in b]
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_aspect(1.2)   # roughly the east-west shrink of a degree at Japan's latitudes
    ax.axis("off")
