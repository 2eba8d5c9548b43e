"""The report's charts, each written as a PNG.

Drawn with matplotlib's object API (``Figure``, no pyplot, no GUI backend), so
the report can run in a bot worker or a cron job. Labels are Japanese.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.report import japan_map
from bot.report.fonts import rc
from bot.report.group_charts import group_funnel, groups_map
from bot.secretariat.report_data import UNSPECIFIED, ReportData
from knowledge.taxonomy import get_taxonomy

DPI = 110
UNSPECIFIED_LABEL = "未指定"


def _label(kind: str, code: str) -> str:
    if code == UNSPECIFIED:
        return UNSPECIFIED_LABEL
    try:
        return get_taxonomy().label(code)
    except Exception:  # an unknown code from old data still gets drawn
        return code


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def _empty_note(ax, text: str = "この期間のデータはありません") -> None:  # type: ignore[no-untyped-def]
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=14, color="#666666", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _period(data: ReportData) -> str:
    end = data.until.date().isoformat()
    return f"{data.since.isoformat()} 〜 {end}" if data.since else f"〜 {end} (全期間)"


def prefecture_map(data: ReportData, path: Path) -> Path:
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(8, 8.4))
        ax = fig.add_axes((0.02, 0.06, 0.86, 0.86))
        counts = {p: float(n) for p, n in data.by_prefecture.items() if p != UNSPECIFIED}
        top = max(counts.values(), default=0.0)
        cmap = matplotlib.colormaps["YlOrRd"]
        norm = Normalize(vmin=0, vmax=max(top, 1.0))
        japan_map.draw(ax, counts, cmap, norm)
        fig.suptitle(f"都道府県別の相談件数  {_period(data)}", fontsize=15)
        cax = fig.add_axes((0.88, 0.2, 0.025, 0.5))
        bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), cax=cax)
        bar.set_label("相談件数")
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
        if ranked:
            lines = "\n".join(f"{name}: {int(n)}件" for name, n in ranked)
            fig.text(0.04, 0.08, "上位\n" + lines, fontsize=10, va="bottom",
                     bbox={"facecolor": "white", "edgecolor": "#999999"})
        else:
            fig.text(0.5, 0.5, "この期間の相談はありません", ha="center", fontsize=14, color="#666666")
        return _save(fig, path)


def demand_heatmap(data: ReportData, path: Path) -> Path:
    taxonomy = get_taxonomy()
    fields = list(taxonomy.fields) + [UNSPECIFIED]
    processes = list(taxonomy.processes) + [UNSPECIFIED]
    used_f = [f for f in fields if any(data.demand[(f, p)] for p in processes)] or fields[:-1]
    used_p = [p for p in processes if any(data.demand[(f, p)] for f in fields)] or processes[:-1]
    grid = np.array([[data.demand[(f, p)] for p in used_p] for f in used_f], dtype=float)
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(max(7.0, 0.62 * len(used_p) + 2.5), max(4.5, 0.5 * len(used_f) + 2)))
        ax = fig.add_subplot()
        image = ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0, vmax=max(grid.max(), 1))
        ax.set_xticks(range(len(used_p)), [_label("process", p) for p in used_p], rotation=45, ha="right")
        ax.set_yticks(range(len(used_f)), [_label("field", f) for f in used_f])
        for (i, j), value in np.ndenumerate(grid):
            if value:
                ax.text(j, i, str(int(value)), ha="center", va="center", fontsize=9,
                        color="white" if value > grid.max() * 0.6 else "#1b1b1b")
        ax.set_xlabel("業務プロセス")
        ax.set_ylabel("インフラ分野")
        ax.set_title(f"分野 × 業務プロセス別の相談 (小課題 {data.sub_issues}件)  {_period(data)}")
        fig.colorbar(image, ax=ax, label="小課題の件数", shrink=0.8)
        if not data.sub_issues:
            _empty_note(ax)
        fig.tight_layout()
        return _save(fig, path)


def introduction_funnel(data: ReportData, path: Path) -> Path:
    funnel = data.funnel
    stages = [("依頼", funnel.requested), ("承諾", funnel.accepted), ("完了", funnel.completed)]
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(8, 4.8))
        ax = fig.add_axes((0.12, 0.3, 0.82, 0.58))
        colours = ["#4c72b0", "#55a868", "#c44e52"]
        top = max(funnel.requested, 1)
        for y, ((label, count), colour) in enumerate(zip(stages, colours, strict=True)):
            width = count / top
            ax.barh(y, width, left=(1 - width) / 2, color=colour, height=0.7)
            share = f" ({count / funnel.requested:.0%})" if funnel.requested and y else ""
            ax.text(0.5, y, f"{label}  {count}件{share}", ha="center", va="center", color="white"
                    if width > 0.3 else "#1b1b1b", fontsize=12)
        ax.set_ylim(2.6, -0.6)
        ax.set_xlim(0, 1)
        ax.axis("off")
        ax.set_title(f"紹介のファネル  {_period(data)}", fontsize=14)
        average = funnel.average_rating
        rating = (f"平均評価 {average:.1f} / 5 ({len(funnel.ratings)}件の回答)" if average is not None
                  else "評価の回答はまだありません")
        fig.text(0.5, 0.17, rating, ha="center", fontsize=13)
        fig.text(0.5, 0.07,
                 f"辞退 {funnel.declined}件 ・ 期限切れ {funnel.expired}件 ・ 回答待ち {funnel.open_requests}件",
                 ha="center", fontsize=11, color="#444444")
        return _save(fig, path)


def unmet_needs(data: ReportData, path: Path, *, top: int = 15) -> Path:
    groups = data.unmet.most_common(top)
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(8, max(3.5, 0.42 * len(groups) + 1.8)))
        ax = fig.add_subplot()
        title = f"満たされていないニーズ (最良一致スコア < {data.unmet_below:g}: {data.unmet_total}件)"
        ax.set_title(title + f"\n{_period(data)}")
        if groups:
            labels = [f"{_label('field', f)} × {_label('process', p)}" for (f, p), _ in groups]
            counts = [n for _, n in groups]
            ax.barh(range(len(groups)), counts, color="#dd8452")
            ax.set_yticks(range(len(groups)), labels)
            ax.invert_yaxis()
            ax.set_xlabel("小課題の件数")
            for y, n in enumerate(counts):
                ax.text(n, y, f" {n}", va="center")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            _empty_note(ax, "該当する小課題はありません")
        fig.tight_layout()
        return _save(fig, path)


def advisor_load(data: ReportData, path: Path, *, top: int = 30) -> Path:
    loads = data.advisor_load[:top]
    with matplotlib.rc_context(rc()):
        fig = Figure(figsize=(8, max(3.5, 0.36 * len(loads) + 1.8)))
        ax = fig.add_subplot()
        ax.set_title("アドバイザーの負荷 (進行中の紹介 / 受け入れ可能数)")
        if loads:
            ys = range(len(loads))
            ax.barh(ys, [a.capacity for a in loads], color="#dddddd", label="受け入れ可能数")
            colours = ["#c44e52" if a.capacity and a.open >= a.capacity else "#4c72b0" for a in loads]
            ax.barh(ys, [a.open for a in loads], color=colours, height=0.5, label="進行中")
            names = [f"{a.name} ({a.ext_id})" + (" [休止]" if a.status == "paused" else "") for a in loads]
            ax.set_yticks(list(ys), names, fontsize=9)
            ax.invert_yaxis()
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, frameon=False)
        else:
            _empty_note(ax, "登録されたアドバイザーはいません")
        fig.tight_layout()
        return _save(fig, path)


CHARTS = {
    "map.png": ("都道府県別の相談件数", prefecture_map),
    "demand_heatmap.png": ("分野 × 業務プロセス", demand_heatmap),
    "introduction_funnel.png": ("紹介のファネル", introduction_funnel),
    "unmet_needs.png": ("満たされていないニーズ", unmet_needs),
    "advisor_load.png": ("アドバイザーの負荷", advisor_load),
    "groups_map.png": ("群の地図", groups_map),
    "group_funnel.png": ("群と新技術説明会のファネル", group_funnel),
}
