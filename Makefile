# Shortcuts for people used to make; dev.py does the work (and needs only Python 3.11+).
PYTHON ?= python3

.PHONY: release test clean

release:
	$(PYTHON) dev.py release

test:
	$(PYTHON) dev.py test

clean:
	rm -rf .venv dist build .pytest_cache .hypothesis
