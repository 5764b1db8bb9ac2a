# Customer Insight for Odoo: developer entry points. See README.md.
ODOO_PATH ?= /opt/odoo19
export ODOO_PATH

.PHONY: test demo lint venv pot readme bench clean

test:  ## lint, fresh database, every test (browser included), drop the database
	@tools/test.sh $(ARGS)

demo:  ## database customer_insight_demo with demo data, served on 127.0.0.1:8069
	@tools/demo.sh

lint:  ## ruff and pylint-odoo only
	@tools/lint.sh

venv:  ## create or update .venv from the pinned requirements
	@bash -c 'source tools/common.sh && ensure_venv'

pot:  ## regenerate every addon's i18n/<addon>.pot from a scratch database
	@tools/pot.sh

readme:  ## regenerate each addon's README.md from its readme/ fragments
	@.venv/bin/python tools/readme.py customer_segmentation channel_attribution customer_care customer_clv customer_care_loyalty customer_care_mass_mailing

bench:  ## scale benchmark, SIZE=10k|100k|1m
	@tools/bench.sh $(SIZE)

clean:
	rm -rf .venv .pytest_cache .ruff_cache
