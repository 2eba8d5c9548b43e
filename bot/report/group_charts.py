"""The report's group charts: the groups map (members coloured by group) and the funnel
groups → events → participants → interest in joint adoption. Bodies only, never people.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.report import japan_map
from bot.report.fonts import rc
from bot.secretariat.group_report import MapMember
from bot.secretariat.report_data import ReportData

DPI = 110
MARGIN_DEG = 0.6        # around the members, so a group of neighbours is not a single dot on all of Japan
MIN_SPAN_DEG = 2.0
OFFSET_DEG = 0.03       # a body that is in several groups gets one dot per group, side by side


def _period(data: ReportData) -> str:
    end = data.until.date().isoformat()
    return f"{data.since.isoformat()} 〜 {end}" if data.since else f"〜 {end} (全期間)"


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def _bounds(members: tuple[MapMember, ...]) -> tuple[float, float, float, float]:
    xs, ys = [m.lng for m in members], [m.lat for m in members]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half_x = max(max(xs) - min(xs) + 2 * MARGIN_DEG, MIN_SPAN_DEG) / 2
    half_y = max(max(ys) - min(ys) + 2 * MARGIN_DEG, MIN_SPAN_DEG) / 2
    return cx - half_x, cx + half_x, cy - half_y, cy + half_y


def group_colours(members: tuple[MapMember, ...]) -> dict[int, tuple[float, float, float, float]]:
    """Group id → its colour (tab10 in the order the groups were created)."""
    palette = matplotlib.colormaps["tab10"]
    ids = sorted({m.group_id for m in members})
    return {gid: palette(i % palette.N) for i, gid in enumerate(ids)}


def groups_map(data: ReportData, path: Path) -> Path:
    members = data.groups.members
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(8, 8))
        ax = fig.add_axes((0.04, 0.16, 0.92, 0.76))
        japan_map.draw(ax, {}, matplotlib.colormaps["Greys"], Normalize(0, 1))
        fig.suptitle(f"群の地図 (団体をグループ別に色分け)  {_period(data)}", fontsize=15)
        if not members:
            fig.text(0.5, 0.5, "この期間に作られたグループはありません", ha="center", fontsize=14, color="#666666")
            return _save(fig, path)
        colours = group_colours(members)
        seen: dict[tuple[str, str], int] = {}
        for member in members:
            accepted = member.state == "accepted"
            body = (member.prefecture, member.municipality)
            nth = seen[body] = seen.get(body, -1) + 1          # a body in two groups: side by side
            lng = member.lng + OFFSET_DEG * nth
            ax.plot(lng, member.lat, "o", markersize=10, markeredgewidth=2,
                    color=colours[member.group_id], markerfacecolor=colours[member.group_id] if accepted else "white")
            if not nth:
                ax.annotate(member.municipality, (lng, member.lat), xytext=(6, 4), textcoords="offset points",
                            fontsize=9)
        x0, x1, y0, y1 = _bounds(members)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        names = {m.group_id: m.group_name for m in members}
        counts = {gid: sum(1 for m in members if m.group_id == gid) for gid in names}
        handles = [Line2D([], [], marker="o", linestyle="", markersize=9, color=colours[gid],
                          label=f"{names[gid]} ({counts[gid]}団体)") for gid in sorted(names)]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, frameon=False)
        note = "● 参加を承諾した団体  ○ 未回答・見送りの団体"
        if data.groups.unplaced:
            note += f"  (位置不明 {data.groups.unplaced}団体)"
        fig.text(0.5, 0.03, note, ha="center", fontsize=10, color="#444444")
        return _save(fig, path)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def group_funnel(data: ReportData, path: Path) -> Path:
    """Each stage's bar is its share of the stage it comes from (the units differ: groups, events, bodies)."""
    f = data.groups.funnel
    stages = [
        (f"グループ  {f.groups}件", 1.0 if f.groups else 0.0),
        (f"説明会  {f.events}回 (開催したグループ {f.groups_with_event} / {f.groups}件)",
         _share(f.groups_with_event, f.groups)),
        (f"参加  {f.participants}団体 (招待 {f.invited}団体中)", _share(f.participants, f.invited)),
        (f"共同導入に関心  {f.interested}団体 (参加 {f.participants}団体中)", _share(f.interested, f.participants)),
    ]
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(8, 5.2))
        ax = fig.add_axes((0.06, 0.24, 0.88, 0.64))
        colours = ["#4c72b0", "#8172b3", "#55a868", "#c44e52"]
        for y, ((label, width), colour) in enumerate(zip(stages, colours, strict=True)):
            ax.barh(y, 1.0, color="#eeeeee", height=0.7)            # the frame: all of the stage before
            ax.barh(y, width, left=(1 - width) / 2, color=colour, height=0.7)
            ax.text(0.5, y, label, ha="center", va="center", color="white" if width > 0.75 else "#1b1b1b",
                    fontsize=12)
        ax.set_ylim(3.6, -0.6)
        ax.set_xlim(0, 1)
        ax.axis("off")
        ax.set_title(f"群と新技術説明会のファネル  {_period(data)}", fontsize=14)
        fig.text(0.5, 0.12, f"グループに案内した団体 {f.bodies_invited} ・ 参加を希望した団体 {f.bodies_accepted}",
                 ha="center", fontsize=11, color="#444444")
        fig.text(0.5, 0.05, f"導入の回答 (技術ごと): 共同導入を検討したい {f.consider}件 ・ 見送る {f.passed}件",
                 ha="center", fontsize=11, color="#444444")
        return _save(fig, path)
