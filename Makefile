# The two commands of the quick start:
#   make lab    install glassnet with the lab's extras and run the whole lab on scikit-learn's digits
#   make test   install glassnet with every test oracle (PyTorch 2.13.0, Keras 3, onnxruntime, ...)
#               and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: lab test bench install-lab install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install-lab: $(BIN)/python
	$(PIP) install --quiet -e ".[lab]"

install-test: $(BIN)/python
	$(PIP) install --quiet -e ".[test]"

lab: install-lab
	$(BIN)/glassnet lab --out glassnet-report

test: install-test
	KERAS_BACKEND=torch $(BIN)/python -m pytest -n 2 --dist loadfile tests

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) glassnet-report build dist src/*.egg-info .pytest_cache
