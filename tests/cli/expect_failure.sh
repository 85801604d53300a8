#!/usr/bin/env bash
# usage: expect_failure.sh EXPECTED_MESSAGE OUTPUT_PATH FOLDER -- COMMAND...
# Passes when COMMAND exits non-zero, its stderr contains EXPECTED_MESSAGE, and neither
# OUTPUT_PATH nor any temporary file beside it was left behind. FOLDER (made first) is the
# case's own, so no other test writes temporary files where this one counts them.
set -u
expected=$1 output=$2
mkdir -p "$3"
shift 4
before=$(ls -a "$(dirname "$output")" 2>/dev/null | grep -c tmp)
stderr=$("$@" 2>&1 >/dev/null)
rc=$?
echo "$stderr"
if [[ $rc -eq 0 ]]; then echo "FAIL: exit code 0, expected non-zero"; exit 1; fi
if [[ "$stderr" != *"$expected"* ]]; then echo "FAIL: message lacks '$expected'"; exit 1; fi
if [[ -f "$output" ]]; then echo "FAIL: $output was left behind"; exit 1; fi
after=$(ls -a "$(dirname "$output")" 2>/dev/null | grep -c tmp)
if [[ "$after" -gt "$before" ]]; then echo "FAIL: a temporary file was left behind"; exit 1; fi
echo "ok (exit $rc)"
