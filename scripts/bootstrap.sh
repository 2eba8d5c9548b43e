#!/usr/bin/env bash
# Creates .venv if missing and installs gunmane into it (with the given extras).
# Idempotent: a stamp keyed by pyproject.toml's hash skips a finished install.
# Usage: source scripts/bootstrap.sh [extras]   (e.g. "test,st")
set -euo pipefail
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_extras="${1:-}"
_python="${GUNMANE_PYTHON:-python3.11}"
command -v "$_python" >/dev/null 2>&1 || _python=python3
if [ ! -x "$_root/.venv/bin/python" ]; then
    echo "==> creating $_root/.venv with $($_python --version)"
    "$_python" -m venv "$_root/.venv"
fi
_stamp="$_root/.venv/.gunmane-$( (cat "$_root/pyproject.toml"; echo "$_extras") | sha256sum | cut -c1-16)"
if [ ! -f "$_stamp" ]; then
    echo "==> installing gunmane${_extras:+[$_extras]} into .venv (first run takes a few minutes)"
    "$_root/.venv/bin/python" -m pip install -q --upgrade pip
    # torch first, pinned: a bare `torch` (pulled by sentence-transformers) would fetch a multi-GB CUDA build.
    case ",$_extras," in
        *,st,*) "$_root/.venv/bin/python" -m pip install -q "torch==2.13.0" ;;
    esac
    "$_root/.venv/bin/python" -m pip install -q -e "$_root${_extras:+[$_extras]}"
    touch "$_stamp"
else
    echo "==> .venv is up to date"
fi
export PATH="$_root/.venv/bin:$PATH"
