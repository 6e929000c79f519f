# tools/common/module.mk: small pure helpers the command-line tools share
# (feed-cql, feedcheck, feed-logpipe), each with a unit test: tool_num (numbers on a
# command line). Listed in the tools' _DEPS.

C_MODULES += toolcommon
toolcommon_SRCS := tools/common/tool_num.c
toolcommon_DEPS :=
toolcommon_TESTS := $(wildcard tools/common/tests/test_*.c)
