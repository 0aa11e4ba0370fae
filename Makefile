# Shortcuts; each is one call into dev.py, which needs nothing but Python (messages and
# i18n-check also need GNU gettext: they run makemessages).
.PHONY: run test lint check ci messages i18n-check

run:
	python3 dev.py run

test:
	python3 dev.py test

lint:
	python3 dev.py lint

messages:
	python3 dev.py messages

i18n-check:
	python3 dev.py i18n-check

check: lint test

ci:
	bash .ci/run
