# tools/feedcheck/module.mk: feedcheck, the oracle (see tools/feedcheck/README.md).
#
# The pure half (fc_model: expected feeds from PostgreSQL's rows;
# fc_compare: expected against found; fc_opts) has unit tests that need no
# server; fc_pg, fc_cql, fc_redis are the thin readers and fc_run the run,
# checked by the integration test against the dev stack.
#
# Module and program share the name, so c.mk's feedcheck_SRCS is both the
# library's sources and the program's: main() lives in libfeedcheck.a too,
# where a test (which has its own main) never pulls it in.

C_MODULES += feedcheck
feedcheck_SRCS := tools/feedcheck/fc_model.c tools/feedcheck/fc_compare.c tools/feedcheck/fc_merge.c tools/feedcheck/fc_opts.c \
    tools/feedcheck/fc_pg.c tools/feedcheck/fc_cql.c tools/feedcheck/fc_redis.c tools/feedcheck/fc_run.c \
    tools/feedcheck/feedcheck_main.c
feedcheck_DEPS := cql toolcommon
feedcheck_PKGS := libpq hiredis jansson
feedcheck_LDLIBS := -lpthread
feedcheck_BINS := feedcheck
feedcheck_TESTS := $(wildcard tools/feedcheck/tests/test_*.c)
feedcheck_TEST_SRCS := api/tests/support/test_env.c
feedcheck_INTEGRATION := $(wildcard tools/feedcheck/tests/integration/test_*.c)

# A loader for timing feedcheck on big data (README.md, "Figures"): fills a
# scratch keyspace (and Redis heads) from a PostgreSQL schema.
feedcheck_BINS += feedcheck-bench-load
feedcheck-bench-load_SRCS := tools/feedcheck/bench/fc_bench_load.c
