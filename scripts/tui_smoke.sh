#!/usr/bin/env bash
# Smoke-run the real terminal app in tmux: open a fresh notebook (the bundled example is imported),
# open the inquiry, follow a citation, search, go back, quit; then run a probe test run and resize
# the terminal with its charts on screen, and quit while another run is going (the app must say it
# carries on). Checks what the screen shows at each step.
#   scripts/tui_smoke.sh            (exit 0 when every check passed; skips cleanly without tmux)
#   KEEP=1 scripts/tui_smoke.sh     (leave the captured screens in the temp folder)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v tmux >/dev/null 2>&1; then
    echo "tui_smoke: tmux is not installed; skipping (apt-get install tmux to run it)"
    exit 0
fi
INQUIRY="${INQUIRY:-.venv/bin/inquiry}"
PYTHON="${PYTHON:-.venv/bin/python}"
WORK="$(mktemp -d)"
SESSION="inquiry-smoke-$$"
cleanup() {
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "screens kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$SESSION" > "$WORK/$1.txt"; }
wait_for() {  # wait_for NAME TEXT [SECONDS]: capture until TEXT appears
    local name="$1" text="$2" limit="${3:-20}"
    for _ in $(seq 1 $((limit * 4))); do
        screen "$name"
        if grep -qF -- "$text" "$WORK/$name.txt"; then echo "ok   $name: sees '$text'"; return 0; fi
        sleep 0.25
    done
    echo "FAIL $name: '$text' not on screen; it showed:"; cat "$WORK/$name.txt"; exit 1
}

tmux new-session -d -s "$SESSION" -x 140 -y 45 "$INQUIRY --notebook $WORK/nb open"
wait_for first-screen "Inquiries (1)" 60
wait_for navigator "Can reinforcement learning close"
tmux send-keys -t "$SESSION" Enter
wait_for inquiry "links · n/p to choose"
tmux send-keys -t "$SESSION" Tab n
wait_for link-cursor "link 1/"
tmux send-keys -t "$SESSION" Enter
wait_for note "Used by 1 inquiry"
tmux send-keys -t "$SESSION" "["
wait_for back "10 links · n/p"
tmux send-keys -t "$SESSION" "/"
wait_for search-open "Search the notebook"
sleep 0.5
tmux send-keys -t "$SESSION" "pass"
wait_for search-results "matching claim"  # hits are grouped: a note, then its matching claims
tmux send-keys -t "$SESSION" Enter
wait_for search-opened "Claim"
tmux send-keys -t "$SESSION" q
for _ in $(seq 1 20); do tmux has-session -t "$SESSION" 2>/dev/null || break; sleep 0.25; done
if tmux has-session -t "$SESSION" 2>/dev/null && tmux capture-pane -p -t "$SESSION" | grep -q "Inquiries"; then
    echo "FAIL quit: the app is still open"; exit 1
fi
echo "ok   quit"

# A finished run with charts: resize the terminal while they are on screen (this used to crash).
CLAIM="$($INQUIRY --notebook "$WORK/nb" --json search --kind claim "Pass@k analysis" | "$PYTHON" -c \
    'import json,sys; print(next(h["id"] for h in json.load(sys.stdin) if h["id"].startswith("claim:")))')"
OMP_NUM_THREADS=1 $INQUIRY --notebook "$WORK/nb" run "$CLAIM" --runner probe --preset test --wait > "$WORK/run.txt" 2>&1
echo "ok   probe test run finished: $(tail -1 "$WORK/run.txt")"
tmux new-session -d -s "$SESSION" -x 140 -y 45 "$INQUIRY --notebook $WORK/nb open; echo APP-EXITED; sleep 60"
wait_for reopened "Inquiries (1)" 60
sleep 1
tmux send-keys -t "$SESSION" f
sleep 0.5
tmux send-keys -t "$SESSION" -l "Pass@k analysis shows"
wait_for filtered "claim" 20
tmux send-keys -t "$SESSION" Down   # leaves the filter for its matches (a lone Escape then Enter reads as alt+enter)
sleep 0.5
tmux send-keys -t "$SESSION" Enter
wait_for claim-open "Claim ·" 20
tmux send-keys -t "$SESSION" v
wait_for result "Verdict:" 20
for size in "80 24" "160 45" "100 30"; do
    tmux resize-window -t "$SESSION" -x "${size% *}" -y "${size#* }"
    sleep 1
done
screen resized
if grep -q "APP-EXITED\|Traceback\|math domain" "$WORK/resized.txt"; then
    echo "FAIL resize: the app did not survive resizing with charts open:"; cat "$WORK/resized.txt"; exit 1
fi
echo "ok   resize with charts open"
tmux send-keys -t "$SESSION" Escape

# Quit while a run is going: the app says the run carries on.
$INQUIRY --notebook "$WORK/nb" run "$CLAIM" --runner probe --preset default --set pretrain_steps=100000 > /dev/null
sleep 3
tmux send-keys -t "$SESSION" q
wait_for quit-during-run "carries on in the background" 20
for id in $($INQUIRY --notebook "$WORK/nb" --json runs 2>/dev/null | "$PYTHON" -c \
        'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin) if r["status"] in ("queued","running")))'); do
    $INQUIRY --notebook "$WORK/nb" runs cancel "$id" > /dev/null 2>&1 || true
done
echo "tui_smoke: all checks passed"
