# Each target sets itself up: a virtual environment in .venv with the package and its test tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: release test validate schema fmt clean

# The main job: validate the dataset, then build the release into dist/.
release: $(STAMP)
	$(BIN)/cbcf-data schema --check
	$(BIN)/cbcf-data validate
	$(BIN)/cbcf-data release --out dist

# The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

validate: $(STAMP)
	$(BIN)/cbcf-data validate

schema: $(STAMP)
	$(BIN)/cbcf-data schema

$(STAMP): pyproject.toml cbcf_data/_version.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
