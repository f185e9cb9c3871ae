#!/bin/bash
# Instruction counts (valgrind callgrind), steadier than wall time on a shared machine:
# validation of the 10k synthetic dataset against the csv.DictReader floor, each counted as
# (two runs in one process) - (one run), so start-up and first-use costs cancel out.
# Needs valgrind and bench/results/data/10000 (made by bench/run.py or bench/synth.py). ~3 minutes.
set -eu
cd "$(dirname "$0")/.."
D=bench/results/data/10000
a=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python -c "
import cbcf_data.check.validate, cbcf_data.model.tables, frictionless, cbcf_data.check.rules
from frictionless import Package
from cbcf_data.check.validate import validate
validate('$D')" 2>&1 | grep -o "Collected : [0-9]*" | grep -o "[0-9]*")
b=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python -c "
import cbcf_data.check.validate, cbcf_data.model.tables, frictionless, cbcf_data.check.rules
from frictionless import Package
from cbcf_data.check.validate import validate
validate('$D'); validate('$D')" 2>&1 | grep -o "Collected : [0-9]*" | grep -o "[0-9]*")
f=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python -c "
import csv, pathlib
for p in sorted(pathlib.Path('$D','records').glob('*.csv')):
    with p.open(encoding='utf-8', newline='') as fh:
        for r in csv.DictReader(fh): pass
" 2>&1 | grep -o "Collected : [0-9]*" | grep -o "[0-9]*")
g=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null .venv/bin/python -c "
import csv, pathlib
for i in range(2):
  for p in sorted(pathlib.Path('$D','records').glob('*.csv')):
    with p.open(encoding='utf-8', newline='') as fh:
        for r in csv.DictReader(fh): pass
" 2>&1 | grep -o "Collected : [0-9]*" | grep -o "[0-9]*")
echo "validate Minstr: $(( (b-a)/1000000 ))  floor Minstr: $(( (g-f)/1000000 ))  ratio: $(python3 -c "print(round(($b-$a)/($g-$f),2))")"
