# Shortcuts; each is one call into dev.py, which needs nothing but Python.
.PHONY: run test lint check ci

run:
	python3 dev.py run

test:
	python3 dev.py test

lint:
	python3 dev.py lint

check: lint test

ci:
	bash .ci/run
