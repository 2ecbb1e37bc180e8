#!/usr/bin/env bash
# The exam-start load test on SQLite, end to end on this machine:
# generates a region, imports it into a fresh database, loads the shipped
# banks, opens a campaign for every teacher, serves it, and drives it with
# marshrut-load (goose). Figures go to stdout; docs/performance.md keeps them.
#
#   tools/loadtest/run.sh                       # 5,000 teachers, release build
#   tools/loadtest/run.sh --teachers 200 --think-ms 100..500
#   tools/loadtest/run.sh --debug --teachers 30 --think-ms 10..50   # CI smoke
#
# Options other than --debug and --teachers go to marshrut-load as they are
# (see `marshrut-load --help`).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

teachers=5000
profile=release
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --debug) profile=debug; shift ;;
    --teachers) teachers="$2"; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done

step() { printf '\n--- %s (%s)\n' "$1" "$(date -u +%H:%M:%S)" >&2; }

step "build ($profile)"
if [ "$profile" = release ]; then
  cargo build --release -q -p marshrut
  cargo build --release -q --manifest-path tools/loadtest/Cargo.toml
else
  cargo build -q -p marshrut
  cargo build -q --manifest-path tools/loadtest/Cargo.toml
fi
marshrut="$root/target/$profile/marshrut"
load="$root/tools/loadtest/target/$profile/marshrut-load"

work="$root/target/loadtest"
rm -rf "$work"
mkdir -p "$work"
export DATABASE_URL="sqlite://$work/load.db"

step "region of $teachers teachers (plus spares) into $work/load.db"
"$marshrut" gen-region --teachers $((teachers + 100)) --seed 2026 --out "$work/region" >&2
for kind in municipalities schools; do
  "$marshrut" import "$kind" "$work/region/$kind.csv" >&2
done
"$marshrut" import staff "$work/region/staff.csv" --invitations-out "$work/invitations.csv" >&2
"$marshrut" import methodists "$work/region/methodists.csv" >&2
"$marshrut" bank load >&2
"$marshrut" campaign open --bank pedagogy-core --title "Нагрузочный тест" --audience all >&2

port="${MARSHRUT_LOAD_PORT:-38080}"
step "serve on 127.0.0.1:$port (log: $work/server.log)"
# Each teacher holds a connection: raise the open-files limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$marshrut" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

step "load"
"$load" --host "http://127.0.0.1:$port" --staff "$work/region/staff.csv" \
  --invitations "$work/invitations.csv" --teachers "$teachers" \
  --sqlite "$work/load.db" "${pass[@]}"
