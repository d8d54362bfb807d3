#!/bin/sh
# run.sh NAME SECONDS: one libFuzzer session of build-fuzz/fuzz/fuzz_NAME
# under nice -n 19 (the machine is shared), ASan + UBSan, 2 GiB RSS cap,
# 10 s per input. New inputs go to build-fuzz/corpus/NAME (seeded from
# tests/fuzz/corpus/NAME, which is only read); crashes to
# build-fuzz/crashes/NAME/; the log to build-fuzz/logs/NAME.log. Prints one
# summary line: executions, exec/s, cov, ft, corpus size, CPU seconds,
# crashes.
#
# run.sh -merge NAME: folds what build-fuzz/corpus/NAME adds to coverage
# into tests/fuzz/corpus/NAME (libFuzzer -merge=1 keeps only inputs that
# add features, so the kept corpus stays small).
#
# run.sh -report NAME...: the summary line of each target's last run.
set -eu
cd "$(dirname "$0")/../.."
if [ "$1" = -merge ]; then
    name=$2
    bin=build-fuzz/fuzz/fuzz_$name
    kept=tests/fuzz/corpus/$name
    mkdir -p "$kept" "build-fuzz/corpus/$name" build-fuzz/logs
    ls "$kept" | sort > "build-fuzz/logs/$name.before"
    merge() {
        nice -n 19 "$bin" -merge=1 -rss_limit_mb=2048 -timeout=10 "$@" "$kept" \
            "build-fuzz/corpus/$name" >"build-fuzz/logs/$name.merge.log" 2>&1
    }
    merge
    # Over 300 inputs: undo, and keep only inputs that add edges (not
    # hit counts), so the kept corpus stays small.
    if [ "$(ls "$kept" | wc -l)" -gt 300 ]; then
        ls "$kept" | sort | comm -23 - "build-fuzz/logs/$name.before" |
            while read -r f; do rm -f "$kept/$f"; done
        merge -use_counters=0
    fi
    echo "merge $name: $(ls "$kept" | wc -l) files kept ($(grep -o 'MERGE-OUTER: [0-9]* new files' "build-fuzz/logs/$name.merge.log"))"
    exit 0
fi
# The summary line of build-fuzz/logs/NAME.log.
summary() {
    log=build-fuzz/logs/$1.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
    cpu=$(awk '/^cpu_seconds/ {printf "%d", $2 + $3}' "$log")
    wall=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
    crashes=$(ls "build-fuzz/crashes/$1" 2>/dev/null | wc -l)
    echo "fuzz $1: execs=${execs:-?} exec/s=${speed:-?} cov=${cov:-?} ft=${ft:-?}" \
        "corp=${corp:-?} cpu_s=${cpu:-?} wall_s=${wall:-?} crashes=$crashes"
}
if [ "$1" = -report ]; then
    shift
    for name in "$@"; do summary "$name"; done
    exit 0
fi
name=$1
seconds=$2
bin=build-fuzz/fuzz/fuzz_$name
[ -x "$bin" ] || { echo "run.sh: $bin missing (make fuzz-build)" >&2; exit 2; }
mkdir -p "build-fuzz/corpus/$name" "build-fuzz/crashes/$name" build-fuzz/logs
log=build-fuzz/logs/$name.log
set +e
nice -n 19 /usr/bin/time -f 'cpu_seconds %U %S' "$bin" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$name/" \
    "build-fuzz/corpus/$name" "tests/fuzz/corpus/$name" >"$log" 2>&1
rc=$?
set -e
summary "$name"
[ "$rc" -eq 0 ] || echo "fuzz $name: libFuzzer exit $rc (see $log)"
