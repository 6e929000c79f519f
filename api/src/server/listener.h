/* listener.h: listening sockets and the addresses they bind.
 *
 * One listening socket per worker, all bound to the same address with
 * SO_REUSEPORT, so the kernel balances new connections across worker
 * threads without a shared accept lock (and without the thundering herd
 * of several loops watching one socket). Trade-off: any process of the
 * same user may bind the same port with SO_REUSEPORT too and receive a
 * share of the connections; on a shared host bind to loopback.
 *
 * Sockets are non-blocking and close-on-exec. The caller owns every fd
 * returned. Address resolution may block (getaddrinfo): call at start-up
 * only, never on a loop.
 */
#ifndef API_SERVER_LISTENER_H
#define API_SERVER_LISTENER_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct listener_addr {
    struct sockaddr_storage ss;
    socklen_t len;
} listener_addr;

/* Parse "host:port", "[v6addr]:port" or ":port" (all interfaces).
 * host may be a name (resolved, first address wins). 0, or -1 with a
 * message in err (errlen bytes, NUL-terminated). */
int listener_parse(const char *text, listener_addr *out, char *err, size_t errlen);

/* The port of an address (host order). */
int listener_addr_port(const listener_addr *a);
void listener_addr_set_port(listener_addr *a, int port);

/* "127.0.0.1:18080" / "[::1]:18080" into out (outlen bytes). */
void listener_addr_format(const listener_addr *a, char *out, size_t outlen);

/* A listening socket bound to a (SO_REUSEADDR, and SO_REUSEPORT when
 * reuseport). fd, or -1 with errno. */
int listener_open(const listener_addr *a, int backlog, int reuseport);

/* The address fd is bound to (after binding port 0, the real port).
 * 0 or -1 with errno. */
int listener_bound(int fd, listener_addr *out);

#endif
