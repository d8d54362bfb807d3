#!/bin/sh
# make lint: functions ocv never uses, and contracts the compiler cannot see.
set -u
status=0
files=$(ls base/*.[ch] verifier/*.[ch] revocation/*.[ch] policy/*.[ch] decision/*.[ch] \
    tools/*.[ch] include/*.h 2>/dev/null)
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf)[[:space:]]*\('
if grep -nE "$banned" $files; then
    echo "lint: banned function (use ocv_strlcpy, snprintf, ocv_parse_int64 ...)"
    status=1
fi
# Every function returning ocv_reason in a header must be OCV_MUST_CHECK.
for h in $(ls base/*.h verifier/*.h revocation/*.h policy/*.h decision/*.h include/ocv.h 2>/dev/null); do
    if grep -nE '^ocv_reason [a-z_]+\(' "$h"; then
        echo "lint: $h: ocv_reason function without OCV_MUST_CHECK"
        status=1
    fi
done
# Formatting is advisory: .clang-format is the house style, `make format`
# applies it, but hand-aligned tables (the reason list) may stay as they are.
if command -v clang-format >/dev/null 2>&1; then
    n=0
    for f in $files; do
        clang-format --dry-run "$f" >/dev/null 2>&1 || n=$((n + 1))
        [ -n "$(clang-format --dry-run "$f" 2>&1 | head -1)" ] && n=$((n + 1))
    done
    [ $n -gt 0 ] && echo "lint: advisory: some files differ from .clang-format (make format)"
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
