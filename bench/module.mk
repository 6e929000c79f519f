# bench/module.mk: benchmark programs for the Flink fan-out job (see
# bench/README.md). They are programs that print figures, not tests.
#
# Everything but main() lives in libbench.a; the pure parts (percentiles,
# the Zipf graph, bench-datagen's social graph, address parsing, the "wait
# until the job is quiet" decision) have unit tests, and so has the Flink
# REST client (over lib/http_client) against a loopback server.

C_MODULES += bench
bench_SRCS := bench/bench_stats.c bench/bench_graph.c bench/bench_http.c bench/bench_env.c \
              bench/bench_flink.c bench/bench_pg.c bench/bench_cql.c bench/bench_datagen.c \
              bench/bench_ceiling.c bench/bench_token.c bench/bench_report.c
bench_DEPS := cql httpclient chaos
bench_PKGS := libpq jansson libcrypto hiredis
bench_LDLIBS := -lm -lpthread
bench_BINS := bench-freshness bench-fanout bench-hot-account bench-datagen bench-cassandra-ceiling bench-home-merge \
              bench-stream bench-report bench-drain
bench-freshness_SRCS := bench/bench_freshness_main.c
bench-fanout_SRCS := bench/bench_fanout_main.c
bench-hot-account_SRCS := bench/bench_hot_main.c
bench-datagen_SRCS := bench/bench_datagen_main.c
bench-cassandra-ceiling_SRCS := bench/bench_cass_ceiling_main.c
bench-home-merge_SRCS := bench/bench_merge_main.c
bench-stream_SRCS := bench/bench_stream_main.c
bench-report_SRCS := bench/bench_report_main.c
bench-drain_SRCS := bench/bench_drain_main.c
bench_TESTS := $(wildcard bench/tests/test_*.c)
# bench-datagen against the dev PostgreSQL, in a schema of its own
bench_INTEGRATION := $(wildcard bench/tests/integration/test_*.c)
bench_TEST_SRCS := api/tests/support/test_env.c lib/http_client/tests/support/one_shot_server.c
