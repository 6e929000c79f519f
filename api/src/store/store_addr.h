/* store_addr.h: the store addresses of the configuration, parsed.
 *
 * FEED_REDIS_ADDR is "host:port"; FEED_CASSANDRA_CONTACT_POINTS is a
 * comma-separated list of "host[:port]". Hosts are IPv4 literals, names,
 * or IPv6 literals in brackets ("[::1]:9042"). Parsing is pure; turning a
 * name into a numeric address (the clients connect to numeric addresses
 * only, so that no reconnect blocks the loop on DNS) is store_addr_resolve,
 * meant for start-up.
 *
 * The caller owns every buffer; nothing is allocated.
 */
#ifndef API_STORE_STORE_ADDR_H
#define API_STORE_STORE_ADDR_H

#include <stddef.h>

#define STORE_ADDR_HOST_MAX 256

typedef struct store_addr {
    char host[STORE_ADDR_HOST_MAX]; /* without brackets, NUL-terminated */
    int port;
} store_addr;

/* Parse text[0..len) as "host", "host:port", "[v6]" or "[v6]:port";
 * default_port when none is given. Surrounding spaces are ignored. 0, or
 * -1 for an empty host, a bad or out-of-range port, or a host too long. */
int store_addr_parse(const char *text, size_t len, int default_port, store_addr *out);

/* The index-th entry (from 0) of a comma-separated list, parsed. 0, or -1
 * when there is no such entry or it does not parse. */
int store_addr_list_get(const char *list, size_t index, int default_port, store_addr *out);

/* Replace a->host by its first numeric address (a name lookup: blocking,
 * for start-up only). 0, or -1 when it does not resolve. */
int store_addr_resolve(store_addr *a);

#endif
