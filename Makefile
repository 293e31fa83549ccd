# Two commands do all the set-up on a fresh machine:
#   make demo   builds the demo letters into reports/
#   make test   runs the whole test suite
# and while working on the code, make test-fast runs the tests that start no kernel and no browser.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: demo test test-fast check install chromium libreoffice notebooks bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name peer-review --display-name "Python (peer-review)"
	touch $(STAMP)

install: $(STAMP)

# Chromium and the fonts first: letter.pdf is a default output.
demo: $(STAMP) chromium
	$(VENV)/bin/peer-review draft params/*.yaml

# Debian's Chromium, the Liberation fonts and pdftotext, for the PDF and the real-browser tests
# (installed only where missing).
chromium:
	@sh scripts/ensure-chromium.sh

# Debian's LibreOffice Writer without its desktop (soffice --headless), for the Word round-trip
# tests that open a letter.docx in another editor (installed only where missing; about 270 MB).
libreoffice:
	@sh scripts/ensure-libreoffice.sh

# axe-core (npm) for the accessibility tests of the letter in Chromium.
node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

# The layers contract, strict typing and lint, then the whole suite.
check: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/ruff check toolkit tests

# Two workers, each taking whole files (nbval's cells of one notebook share one kernel, in order).
test: $(STAMP) chromium libreoffice node_modules/axe-core/axe.min.js check
	$(PY) -m pytest -n 2 --dist loadfile

# The tests marked neither slow (a kernel: papermill, nbclient, Voila, nbval) nor browser.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser" -n 2

# Re-run the notebooks stored in notebooks/ so their outputs match the current code (for nbval).
notebooks: $(STAMP)
	$(PY) scripts/build_notebooks.py

bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf reports/*/ reports/.failed .pytest_cache
