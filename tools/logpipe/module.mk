# tools/logpipe/module.mk: feed-logpipe, the size-bounded log writer that
# feedctl puts behind every part's output.

C_MODULES += logpipe
logpipe_SRCS := tools/logpipe/logpipe.c
logpipe_DEPS := toolcommon
logpipe_BINS := feed-logpipe
feed-logpipe_SRCS := tools/logpipe/logpipe_main.c
logpipe_TESTS := $(wildcard tools/logpipe/tests/test_*.c)
