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
# The script: a small town's engineer with two problems in one message; answers what the bot
# asks, confirms the 課題カード, asks for an introduction to the first advisor, then a quick lookup.
gunmane chat --user "$user" <<'SCRIPT'
こんにちは
奈良県宇陀市の建設課です。技術職員が2人しかいなくて、村道の橋の定期点検をどこに発注すればいいか分からないので専門家に相談したい。それと、冬の除雪の委託先が見つからない件も近くの自治体のやり方を知りたいです
アドバイザーに相談したい
はい
1
事例 橋梁 代行
研修 点検
SCRIPT
echo
echo "==> done. Talk to the bot yourself: gunmane chat --municipality 奈良県,宇陀市"
