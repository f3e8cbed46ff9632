#!/bin/sh
# How the ledgers here were made, each by an old release's own `dit` (tests/test_ledger_migrations.py upgrades them):
#   git worktree add /tmp/rel ab80485        # the release before schema versions (and 84df8e6, before runs.reason;
#                                             583bca9, the last at schema revision 0002)
#   tests/data/ledgers/make.sh /tmp/rel /tmp/made sqlite:////tmp/made/phase.db
#       -> cp /tmp/made/phase.db ab80485.db; what the release's reader saw, /tmp/made/seen.json -> ab80485.json
#   on PostgreSQL: the same with a fresh database's DSN, then pg_dump --inserts --no-owner --no-privileges DSN
#       -> ab80485-postgresql.sql (the JSON as ab80485-postgresql.json)
# A run of install & commission with the ESME suspended (two executions blocked), a device suspended and resumed and
# another still suspended, two test issues (one linked to an execution with a work-off plan, one closed), evidence
# and the phase's settings.
set -e
tree=$1; out=$2; dsn=$3
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-$here/../../../.venv/bin/python}
mkdir -p "$out"
export PYTHONPATH=$tree DIT_SMKI=$out/smki
cd "$tree"
dit() { "$python" -m harness.cli "$@"; }
dit lab suspend ESME-78-1-alder --condition 4 --reason "frozen after 11.1" --ledger "$dsn"
dit run -m install_commission --report-dir "$out/reports" --ledger "$dsn" > "$out/run.log" 2>&1 || echo "run exit $?"
dit lab resume ESME-78-1-alder --fix CRB-12 --ledger "$dsn"
dit lab suspend GSME-78-2-birch --condition 1 --reason "I&C refused with E110103" --ledger "$dsn"
dit issue raise --title "ESME frozen after 11.1" --severity 2 --manufacturer "Alder Metering" --execution 1 \
    --raised 2026-11-20 --ledger "$dsn"
dit issue update TI-0001 --work-off-plan WOP-7 --due 2026-12-01 --ledger "$dsn"
dit issue raise --title "GSME prepayment slow" --severity 4 --owner "CSP N" \
    --scenario install_commission/install-commission-gsme-prepayment --raised 2026-11-21 --ledger "$dsn"
dit issue update TI-0002 --status closed --on 2026-11-22 --ledger "$dsn"
# files since 583bca9's predecessors (which took any text as a reference, so these do for them too)
printf 'DIT entry gate minutes 2026-10-01\n' > "$out/minutes.txt"
printf 'board pack v1\n' > "$out/board-pack.txt"
dit evidence record DIT.EN.1 --status met --reference "$out/minutes.txt" --by "Lab lead" --ledger "$dsn"
dit evidence record DIT.EX.11 --status not_met --reference "$out/board-pack.txt" --by "Lab lead" --ledger "$dsn"
dit phase set --name "DIT R2.0" --quality-gate 2026-11-02 --ledger "$dsn"
"$python" "$here/seen.py" "$dsn" > "$out/seen.json"
