# Voordeur task runner. The README's two set-up commands are `make start` and `make test`.
.PHONY: start test chat train setup lock lint sync start-production start-replicas audit benchmark-load purge content-check \
	review-export

start:  ## install what is missing, train when needed, run the whole assistant
	@scripts/start.sh

start-production:  ## as start, on PostgreSQL and Redis (docs/production.md)
	@VOORDEUR_STORES=production scripts/start.sh

start-replicas:  ## as start-production, with two Rasa replicas on RASA_PORT and RASA_PORT+1
	@VOORDEUR_STORES=production RASA_REPLICAS=2 scripts/start.sh

audit:  ## pip-audit over both lock files (docs/security.md)
	@ADVISORIES="$(ADVISORIES)" scripts/audit.sh

benchmark-load:  ## load benchmark, with Rasa's `rasa init` bot for comparison: starts its own stacks, writes docs/load-benchmark.md (20-30 min)
	@.venv/app/bin/python benchmarks/load_benchmark.py

.PHONY: benchmark-staff-volume
benchmark-staff-volume:  ## every staff page on a throw-away PostgreSQL database with 100,000 handovers, callbacks and bookings; writes docs/staff-volume-benchmark.md (BASELINE=earlier.json adds a before column; 5-10 min)
	@.venv/app/bin/python benchmarks/staff_volume_benchmark.py --command "make benchmark-staff-volume" $(if $(BASELINE),--baseline $(BASELINE),)

# What an unsure message gets, and what residents experience (docs/fallback-threshold.md, docs/outcome-benchmark.md).
.PHONY: tune-fallback benchmark-outcome benchmark-outcome-crisis

tune-fallback:  ## re-tune the fallback thresholds on the tuning set, write them into config.yml and actions/fallback.py, retrain
	@scripts/train.sh && .venv/rasa/bin/python benchmarks/tune_fallback.py --apply $(if $(BEFORE),--before $(BEFORE),) && scripts/train.sh

benchmark-outcome:  ## what residents get, per message of the independent set, over REST against its own stack (docs/outcome-benchmark.md)
	@.venv/app/bin/python benchmarks/outcome_benchmark.py --label current --baseline benchmarks/results/outcome/e5base.json \
		$(if $(DESCRIPTION),--description "$(DESCRIPTION)",)

benchmark-outcome-crisis:  ## the same on the second independent set (crisis and near-crisis messages; docs/outcome-benchmark-crisis.md)
	@.venv/app/bin/python benchmarks/outcome_benchmark.py --set tests/nlu/independent/crisis14.yml --label crisis14 --baseline benchmarks/results/outcome/crisis14_before.json \
		--report docs/outcome-benchmark-crisis.md $(if $(DESCRIPTION),--description "$(DESCRIPTION)",)

test:   ## install what is missing and run every test suite
	@scripts/test.sh

purge:  ## retention: delete conversations, bookings and handovers older than RETENTION_*_DAYS (DRY_RUN=1 counts)
	@scripts/purge.sh $(if $(DRY_RUN),--dry-run,)

review-export:  ## the review page's example queue as Rasa NLU YAML (OUT=file, default var/review/reviewed.yml) for the team to merge into data/nlu/
	@bash -c 'source scripts/lib.sh && load_env && export_runtime_env && cd "$$ROOT" && \
		.venv/app/bin/python -m bot.backend review-export --output "$(or $(OUT),var/review/reviewed.yml)"'

chat:   ## chat in the terminal with the running assistant
	@.venv/app/bin/python scripts/chat.py

train:  ## retrain the model even if nothing changed
	@scripts/train.sh --force

setup:  ## install and prepare without starting
	@scripts/setup.sh

# mypy, once per environment ([tool.mypy] in pyproject.toml): strict for bot/backend and bot/shared, basic for
# the rest (Rasa ships no types). A new script or benchmark goes in the list of the environment that runs it.
MYPY_APP = bot/backend bot/shared scripts/chat.py scripts/create_databases.py scripts/audit_offline.py \
	scripts/test_summary.py benchmarks/load_benchmark.py benchmarks/outcome_benchmark.py \
	benchmarks/staff_volume_benchmark.py benchmarks/machine.py benchmarks/stack_process.py benchmarks/rasa_init_bot.py
MYPY_RASA = actions bot/assistant bot/__init__.py bot/content_facts.py bot/log_masking.py scripts/content_check.py \
	scripts/purge_conversations.py scripts/sync_content.py benchmarks/nlu_benchmark.py \
	$(wildcard benchmarks/tune_*.py) benchmarks/date_parsers.py

lint:   ## ruff on both sides (the rules, and ruff format --check), and mypy in each environment
	@.venv/app/bin/ruff check bot actions tests scripts benchmarks
	@.venv/app/bin/ruff format --check bot actions tests scripts benchmarks
	@.venv/app/bin/mypy $(MYPY_APP)
	@.venv/rasa/bin/mypy $(MYPY_RASA)

lock:   ## re-resolve requirements/*.in into the lock files (needs both environments)
	@scripts/lock.sh

sync:   ## regenerate answer intents, rules, plan test stories and crisis replies from content/
	@.venv/rasa/bin/python scripts/sync_content.py

content-check:  ## dated facts that expired or expire within 60 days, and demo values (TODAY=YYYY-MM-DD; exit 1 if expired)
	@.venv/rasa/bin/python scripts/content_check.py $(if $(TODAY),--today $(TODAY),)
