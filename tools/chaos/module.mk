# tools/chaos/module.mk: the fault-injection driver feed-chaos, and the
# client side of the pipeline that it and the end-to-end tests share:
# HTTP (a wrapper over lib/http_client) and API client, Kafka offsets,
# the catch-up wait, running feedcheck.
#
# Everything but main() lives in libchaos.a, so the unit tests and
# tests/e2e link the same code the program runs.

C_MODULES += chaos
chaos_SRCS := tools/chaos/http_client.c tools/chaos/api_client.c tools/chaos/kafka_offsets.c \
    tools/chaos/catch_up.c tools/chaos/spawn.c tools/chaos/oracle.c tools/chaos/load.c \
    tools/chaos/ledger.c tools/chaos/report.c tools/chaos/probe.c
chaos_DEPS := httpclient
chaos_PKGS := libpq hiredis jansson
chaos_LDLIBS := -lpthread
chaos_BINS := feed-chaos
feed-chaos_SRCS := tools/chaos/chaos_main.c
chaos_TESTS := $(wildcard tools/chaos/tests/test_*.c)
chaos_TEST_SRCS := lib/http_client/tests/support/one_shot_server.c
chaos_FUZZERS :=
chaos_INTEGRATION :=
