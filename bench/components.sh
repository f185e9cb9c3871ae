#!/bin/bash
# Where validation's instructions go (valgrind callgrind, whole process, one `validate(DIR)`):
# the full run; the same with the cross-table rules fed nothing; with rows neither judged by
# their models nor fed to the rules; and the imports alone (the check layer, then with Pydantic
# and the models). Differences give each part: rules = full - norules; row validation =
# norules - novalid - (imports - check import); reading, keys and references = the rest.
# Needs valgrind. Usage: bench/components.sh DIR (default bench/results/data/10000); ~5 minutes at 10k.
set -eu
cd "$(dirname "$0")/.."
D=${1:-bench/results/data/10000}
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python "$@" 2>&1 \
        | grep -o "Collected : [0-9]*" | grep -o "[0-9]*"
}
RUN="
from cbcf_data.check import rows
import cbcf_data.check.rules as rules
V = '%s'
if 'norules' in V:
    rules.Rules.feeder = lambda self, table: (lambda record, where: None)
if 'novalid' in V:
    rows._validator = lambda run, model, origin: (lambda cells: cells)
from cbcf_data.check.validate import validate
validate('$D')"
full=$(count -c "$(printf "$RUN" full)")
norules=$(count -c "$(printf "$RUN" norules)")
novalid=$(count -c "$(printf "$RUN" 'novalid norules')")
check=$(count -c "import cbcf_data.check.validate")
imports=$(count -c "import cbcf_data.check.validate, pydantic, cbcf_data.model.tables")
floor=$(count bench/floors.py read "$D")
echo "validate $D, instructions (M): full $((full / 1000000)), floor (floors.py read) $((floor / 1000000))"
echo "  imports (check layer, Pydantic, models, start-up): $((imports / 1000000))"
echo "  cross-table rules: $(((full - norules) / 1000000))"
echo "  row validation (Pydantic, row rules): $(((norules - novalid - imports + check) / 1000000))"
echo "  the rest (reading, cells, keys, references, descriptor): $(((full - imports - (full - norules) - (norules - novalid - imports + check)) / 1000000))"
