# tests/e2e/module.mk: end-to-end tests across the parts of the running
# stack (see c.mk for the variables). They are integration programs: run
# by `make c-integration`, which tests/run-all calls once the stack is up.

C_MODULES += e2e
e2e_SRCS :=
e2e_DEPS := chaos httpclient cql
e2e_PKGS := libpq hiredis jansson
e2e_LDLIBS :=
e2e_TESTS :=
# Ports and conninfo: the same helper the API's integration tests use.
e2e_TEST_SRCS := tests/e2e/e2e_env.c api/tests/support/test_env.c api/tests/support/test_sse.c
e2e_FUZZERS :=
e2e_INTEGRATION := $(wildcard tests/e2e/test_*.c)
