# cql/module.mk: the CQL client library (see c.mk for the variables).
#
# libcql.a holds the pure protocol codec and the blocking connection
# (cql_conn_blocking.c, the only file doing I/O); code on an event loop
# uses the codec and must not call the blocking connection.

C_MODULES += cql
cql_SRCS := $(wildcard cql/cql_*.c)
cql_DEPS :=
cql_PKGS :=
cql_LDLIBS :=
cql_TESTS := $(wildcard cql/tests/test_*.c)
cql_TEST_SRCS := cql/tests/cql_test_support.c cql/tests/cql_fake_server.c
cql_FUZZERS := $(wildcard cql/fuzz/fuzz_*.c)
cql_INTEGRATION := $(wildcard cql/tests/integration/test_*.c)
