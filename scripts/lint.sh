#!/bin/sh
# make lint: functions ocv never uses, and contracts the compiler cannot see.
set -u
status=0
files=$(ls base/*.[ch] verifier/*.[ch] revocation/*.[ch] policy/*.[ch] decision/*.[ch] \
    tools/*.[ch] serve/*.[ch] include/*.h 2>/dev/null)
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf)[[:space:]]*\('
if grep -nE "$banned" $files; then
    echo "lint: banned function (use ocv_strlcpy, snprintf, ocv_parse_int64 ...)"
    status=1
fi
# Every function returning ocv_reason in a header must be OCV_MUST_CHECK.
for h in $(ls base/*.h verifier/*.h revocation/*.h policy/*.h decision/*.h serve/*.h include/ocv.h 2>/dev/null); do
    if grep -nE '^ocv_reason [a-z_]+\(' "$h"; then
        echo "lint: $h: ocv_reason function without OCV_MUST_CHECK"
        status=1
    fi
done
# The tree follows .clang-format (make format applies it); the reason list
# keeps its hand-aligned table between clang-format off/on markers.
if command -v clang-format >/dev/null 2>&1; then
    for f in $files; do
        if [ -n "$(clang-format --dry-run "$f" 2>&1 | head -1)" ]; then
            echo "lint: $f differs from .clang-format (run make format)"
            status=1
        fi
    done
fi
[ $status -eq 0 ] && echo "lint: clean"
exit $status
