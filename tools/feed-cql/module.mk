# tools/feed-cql/module.mk: the feed-cql command-line tool.
#
# Everything but main() lives in libfeedcql.a so that the unit tests link
# the same code the program runs.

C_MODULES += feedcql
feedcql_SRCS := tools/feed-cql/feed_cql_opts.c tools/feed-cql/feed_cql_print.c tools/feed-cql/feed_cql_run.c
feedcql_DEPS := cql toolcommon
feedcql_BINS := feed-cql
feed-cql_SRCS := tools/feed-cql/feed_cql_main.c
feedcql_TESTS := $(wildcard tools/feed-cql/tests/test_*.c)
feedcql_TEST_SRCS := cql/tests/cql_fake_server.c
feedcql_INTEGRATION := $(wildcard tools/feed-cql/tests/integration/test_*.c)
