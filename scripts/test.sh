#!/usr/bin/env bash
# The one test command: installs what the tests need, builds, runs every test.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Typing").
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-test-deps.sh
dotnet build Chat.sln -c Release -nologo -v quiet
results="$(mktemp -d)"
status=0
dotnet test Chat.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

# One plain closing line for CI, counted from the TRX report.
python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    root = ET.parse(path).getroot()
    counters = root.find(".//{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0)); failed += int(counters.get("failed", 0))
        skipped += int(counters.get("notExecuted", 0))
    # Failures again at the end, where a CI log's tail is read.
    for result in root.findall(".//{*}UnitTestResult"):
        if result.get("outcome") == "Failed":
            message = result.find(".//{*}Message")
            text = message.text or "" if message is not None else ""
            print(f"FAILED {result.get('testName')}: {text.strip()[:800]}")
            # Where in the test it failed: a timeout's message alone does not say which step.
            trace = result.find(".//{*}StackTrace")
            frames = [line.strip() for line in (trace.text or "").splitlines() if "/Chat.Tests/" in line] if trace is not None else []
            for frame in frames[:4]:
                print(f"    {frame}")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
