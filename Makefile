# The feed service: two commands matter.
#   make run    install what is missing, build, start the whole pipeline
#               in the foreground (Ctrl-C stops it)
#   make test   every test of the project; starts the stack once, stops it
# The rest are steps of those two, useful on their own.

SHELL := /bin/bash
.DEFAULT_GOAL := help

FEEDCTL := bin/feedctl
# Maven on Java 17, wherever it lives (stack/lib.sh finds it).
MVN     := stack/mvn -B -q

include c.mk

.PHONY: help install build run start stop status reset test test-unit test-stack job clean chaos bench \
	lint format-check shellcheck format

help:
	@echo "make run     install, build and start the pipeline in the foreground (Ctrl-C stops)"
	@echo "make test    run every test (starts and stops the stack itself)"
	@echo "make install fetch missing Debian packages and engine jars"
	@echo "make build   build the C programs and the Flink job"
	@echo "make start | stop | status | reset    (see bin/feedctl --help)"
	@echo "make bench   the benchmark report on a stack of its own: docs/BENCHMARKS.md (bench/README.md)"
	@echo "make chaos   fault injection: kill -9 each part under load, check every feed (own stack, ~15 min)"
	@echo "make lint    check the C files against .clang-format and every shell script with shellcheck"
	@echo "make format  reformat the C files in the .clang-format style (clang-format-14)"

install:
	@stack/install.sh

# The Flink job jar is rebuilt when its sources change.
JOB_JAR     := job/target/feed-job.jar
JOB_SOURCES := $(shell find job/src job/pom.xml -type f 2>/dev/null)

$(JOB_JAR): $(JOB_SOURCES)
	$(MVN) -f job/pom.xml -DskipTests package

job: $(JOB_JAR)

build: install
	@$(MAKE) --no-print-directory c-build job

run: build
	@$(FEEDCTL) run

start: build
	@$(FEEDCTL) start

stop:
	@$(FEEDCTL) stop

status:
	@$(FEEDCTL) status

reset:
	@$(FEEDCTL) reset

# Everything: unit tests and fuzzers first (no servers), then the stack is
# started once for all integration and end-to-end tests and stopped after.
test: build
	@tests/run-all

# Figures, not tests: the benchmark report (issue 14). bench/run starts a
# stack of its own (var/bench, ports +11000; BENCH_STACK=running uses the
# running one), generates the data set, runs every part and writes
# docs/BENCHMARKS.md and docs/bench/*.png; sizes and parts from BENCH_*
# variables (bench/README.md "make bench").
bench: build
	@bench/run

# Fault injection on its own stack (var/chaos, ports +12000); options go
# to feed-chaos: make chaos CHAOS_ARGS="--faults kafka,api".
chaos: build
	@tests/chaos/run $(CHAOS_ARGS)

# Style checks, no build and no server: the C files against .clang-format
# (clang-format-14) and every tracked shell script through shellcheck.
# stack/lint lists the files from git and names the Debian package of a
# missing tool; nothing here runs while make reads this file.
lint: format-check shellcheck

format-check:
	@stack/lint format-check

shellcheck:
	@stack/lint shellcheck

# Rewrites the tracked C files in place in the .clang-format style.
format:
	@stack/lint format

clean: c-clean
	rm -rf job/target build
