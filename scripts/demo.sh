#!/usr/bin/env bash
# The demo: install (if needed), migrate, seed the sample data, build the indexes, then run a
# realistic scripted consultation end to end through `gunmane chat` with the default embedder.
# Idempotent: every step can run again; each run talks as a new demo user, so the
# conversation is the same every time.
# Uses the configured database (default: data/gunmane.db), like every other command.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

echo "==> gunmane db upgrade"
gunmane db upgrade
echo "==> gunmane db seed --sample"
gunmane db seed --sample
echo "==> gunmane index build"
gunmane index build

user="demo-$(date +%Y%m%d-%H%M%S)-$$"
echo
echo "==> a consultation over the sample data (user ${user}; lines below marked 'you>' are the script,"
echo "    [n] means the user pressed button n)"
# The script: a small town's engineer describes the problem, adds a wish at the 課題カード,
# confirms it, asks for an introduction to the first advisor ([1]), then two quick lookups.
gunmane chat --user "$user" <<'SCRIPT'
こんにちは
奈良県宇陀市の建設課です。技術職員が2人しかいなくて、市道の橋の定期点検をどこにどう発注すればいいか分からないので、詳しい人に相談したいです
ほかの町の事例も知りたい
はい
1
事例 橋梁 代行
研修 点検
SCRIPT
echo
echo "==> done. Talk to the bot yourself: gunmane chat --municipality 奈良県,宇陀市"
