# lib/http_client/module.mk: httpclient, the one small blocking HTTP/1.1
# client of the project (see lib/http_client/http_client.h). Used by the
# API's test client, the chaos driver and the benchmarks.

C_MODULES += httpclient
httpclient_SRCS := lib/http_client/response.c lib/http_client/client.c
httpclient_DEPS :=
httpclient_PKGS :=
httpclient_TESTS := $(wildcard lib/http_client/tests/test_*.c)
httpclient_FUZZERS := lib/http_client/fuzz/fuzz_httpclient_response.c
# the connection tests' scripted server runs in a thread of the test
httpclient_LDLIBS := -lpthread
