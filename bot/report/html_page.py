"""report.html: one self-contained page (charts as base64 data URIs, no external files)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from bot.report.charts import CHARTS
from bot.report.summary import summary_text
from bot.secretariat.report_data import ReportData

STYLE = """
body{font-family:"Hiragino Sans","Noto Sans CJK JP","IPAexGothic",Meiryo,sans-serif;margin:2em auto;max-width:960px;
color:#222;line-height:1.6;padding:0 1em}
h1{font-size:1.6em;border-bottom:3px solid #4c72b0}h2{font-size:1.2em;margin-top:2em}
img{max-width:100%;border:1px solid #ddd}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}
"""


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def write_html(data: ReportData, charts: dict[str, Path], path: Path) -> Path:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        "<title>群マネ 見える化レポート</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>群マネ 見える化レポート</h1>",
        f"<pre>{html.escape(summary_text(data))}</pre>",
    ]
    for name, chart in charts.items():
        title = CHARTS[name][0]
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(f'<img src="{_data_uri(chart)}" alt="{html.escape(title)}">')
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
