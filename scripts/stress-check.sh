#!/usr/bin/env bash
# Runs a test command N times while a CPU load keeps every core busy, and reports how many runs
# passed: the check that tests wait on state, not on time.
#
#   bash scripts/stress-check.sh [-n RUNS] [-j LOAD_WORKERS] [--no-load] [--] COMMAND [ARG...]
#   bash scripts/stress-check.sh -- npm run test:e2e                     # 10 runs
#   bash scripts/stress-check.sh -n 20 -- node --import tsx --test test/cli/cancel.test.ts
#
# The load is `stress-ng --cpu` when installed (Debian: apt-get install stress-ng), else busy-looping
# node processes; one worker per core by default (-j). Each run's output goes to
# .test-artifacts/stress/<stamp>/run-<i>.log (with the e2e screenshots and logs of a failed run).
# Prints one line per run, then "stress-check: N passed, M failed"; exits 1 when a run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# All of it in one function: bash parses a function whole before running it, so editing this file
# while a check runs (it may run for hours) cannot derail that run.
main() {

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

runs=10
workers=$(nproc)
load=1
while (($#)); do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -j) workers=$2; shift 2 ;;
    --no-load) load=0; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) echo "stress-check: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
if (($# == 0)); then usage >&2; exit 2; fi
if ! [[ $runs =~ ^[1-9][0-9]*$ && $workers =~ ^[0-9]+$ ]]; then echo "stress-check: -n and -j take whole numbers" >&2; exit 2; fi

# The load's processes, ended by their ids when the check ends (also on Ctrl+C or a failure).
load_pids=()
stop_load() {
  ((${#load_pids[@]})) || return 0
  kill "${load_pids[@]}" 2>/dev/null
  wait "${load_pids[@]}" 2>/dev/null
  load_pids=()
}
trap stop_load EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

load_desc="no extra load"
if ((load && workers > 0)); then
  if command -v stress-ng >/dev/null 2>&1; then
    # stress-ng ends its workers when it is terminated.
    stress-ng --cpu "$workers" --quiet >/dev/null 2>&1 &
    load_pids+=($!)
    load_desc="stress-ng --cpu $workers"
  else
    for ((w = 0; w < workers; w++)); do
      node -e 'for (;;) {}' &
      load_pids+=($!)
    done
    load_desc="$workers busy-looping node processes (stress-ng not installed)"
  fi
fi

logs=".test-artifacts/stress/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$logs"
echo "stress-check: $runs run(s) of: $*"
echo "stress-check: load: $load_desc on $(nproc) core(s); logs in $logs"

passed=0
failed=0
for ((i = 1; i <= runs; i++)); do
  marker="$logs/.run-$i-start"
  touch "$marker"
  start=$(date +%s)
  "$@" >"$logs/run-$i.log" 2>&1
  rc=$?
  secs=$(($(date +%s) - start))
  loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
  if ((rc == 0)); then
    passed=$((passed + 1))
    echo "run $i/$runs: passed in ${secs}s (load average $loadavg)"
  else
    failed=$((failed + 1))
    echo "run $i/$runs: FAILED (exit $rc) in ${secs}s (load average $loadavg); log: $logs/run-$i.log"
    # The failing tests as the spec (✖) or TAP (not ok) reporter names them, and their first error lines.
    grep -E '^\s*✖|^\s*not ok|^\s+(Error|AssertionError)[^:]*:|^\s+error: ' "$logs/run-$i.log" | head -20 | sed 's/^/    /'
    # The e2e screenshots and logs written during this run.
    if [[ -d .test-artifacts/e2e ]]; then
      mkdir -p "$logs/run-$i-e2e"
      find .test-artifacts/e2e -maxdepth 1 -type f -newer "$marker" -exec cp {} "$logs/run-$i-e2e/" \;
    fi
  fi
  rm -f "$marker"
done

echo "stress-check: $passed passed, $failed failed"
((failed == 0))
}

main "$@"
