#!/usr/bin/env bash
# Runs the checks (ruff, mypy --strict; configured in pyproject.toml), then the whole
# test suite: once on SQLite, once on PostgreSQL.
# The PostgreSQL pass uses GUNMANE_TEST_POSTGRES_URL (default: the local server,
# user postgres, database test). When that server is unreachable the pass is
# skipped with a clear line — unless GUNMANE_REQUIRE_POSTGRES=1 (CI), which fails.
# Extra arguments go to pytest (e.g. scripts/test.sh -k slack -x).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh "test,st"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg

# The web's browser tests drive Debian's Chromium through Playwright (never a downloaded browser);
# the CJK fonts make Japanese pages readable in the screenshots. Where it cannot be installed the
# browser tests skip loudly, unless GUNMANE_REQUIRE_BROWSER=1 (CI), which makes them fail.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian's chromium and CJK fonts for the browser tests"
    if [ "$(id -u)" = "0" ]; then apt_get="apt-get"; else apt_get="sudo -n apt-get"; fi
    { $apt_get update -q && DEBIAN_FRONTEND=noninteractive $apt_get install -y -q chromium fonts-noto-cjk; } \
        >/tmp/gunmane-apt-chromium.log 2>&1 || echo "!! could not install chromium (see /tmp/gunmane-apt-chromium.log)"
fi
if [ ! -x /usr/bin/chromium ]; then
    if [ "${GUNMANE_REQUIRE_BROWSER:-0}" = "1" ]; then
        echo "FAILED: /usr/bin/chromium is required (GUNMANE_REQUIRE_BROWSER=1) but missing." >&2
        exit 1
    fi
    echo "!! /usr/bin/chromium is missing: the web's browser tests will be SKIPPED."
fi

pg_url="${GUNMANE_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"

echo "==> checks: ruff (rules E, F, I, B, UP) and mypy --strict over bot, matching, knowledge"
ruff check
mypy

echo "==> test pass 1/2: SQLite"
GUNMANE_TEST_DATABASE_URL="" python -m pytest -q -p no:cacheprovider "$@"

echo "==> test pass 2/2: PostgreSQL ($pg_url)"
if python - "$pg_url" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
    GUNMANE_TEST_DATABASE_URL="$pg_url" python -m pytest -q -p no:cacheprovider "$@"
elif [ "${GUNMANE_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "FAILED: PostgreSQL at $pg_url is required (GUNMANE_REQUIRE_POSTGRES=1) but unreachable." >&2
    exit 1
else
    echo "!! SKIPPED the PostgreSQL pass: no server at $pg_url."
    echo "!! Only SQLite was tested. Start PostgreSQL or set GUNMANE_TEST_POSTGRES_URL to run it."
fi
