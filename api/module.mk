# api/module.mk: the feed API server (see c.mk for the variables).
#
# Everything but main() lives in libapi.a, so the unit tests and the
# in-process server tests link the very code the feed-api program runs.
# Sources are found by folder: a new file under api/src/ is built
# without touching this file; its test goes to api/tests/<same path>.

C_MODULES += api
api_SRCS := $(filter-out api/src/main.c,$(wildcard api/src/*.c api/src/*/*.c))
# httpclient: for the tests' client (api/tests/support/test_client.c); the
# server links nothing of it
api_DEPS := cql redisschema httpclient
api_PKGS := libpq hiredis libcrypto jansson
api_LDLIBS := -lpthread
api_BINS := feed-api
feed-api_SRCS := api/src/main.c
api_TESTS := $(wildcard api/tests/test_*.c api/tests/*/test_*.c)
api_TEST_SRCS := $(wildcard api/tests/support/*.c)
api_FUZZERS := $(wildcard api/fuzz/fuzz_*.c)
api_INTEGRATION := $(wildcard api/tests/integration/*/test_*.c)
# the CQL client's unit tests play against cql/'s scripted fake server
api_TEST_SRCS += cql/tests/cql_fake_server.c
api_TEST_PKGS := libpcre2-8
