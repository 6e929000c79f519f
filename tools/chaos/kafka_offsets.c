/* kafka_offsets.c: ListOffsets / OffsetFetch over Kafka's wire protocol
 * (see kafka_offsets.h). Request header v1, response header v0, all
 * integers big-endian, strings int16-length-prefixed (-1 = null), arrays
 * int32-count-prefixed. */
#include "tools/chaos/kafka_offsets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum { KO_METADATA = 3, KO_LIST_OFFSETS = 2, KO_OFFSET_FETCH = 9, KO_FIND_COORDINATOR = 10 };

/* ---- buffer -------------------------------------------------------------- */

static void ko_put(ko_buf *b, const void *p, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        unsigned char *d;
        while (cap < b->len + n)
            cap *= 2;
        if ((d = realloc(b->data, cap)) == NULL) {
            b->bad = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void ko_put_i8(ko_buf *b, int8_t v)
{
    ko_put(b, &v, 1);
}
void ko_put_i16(ko_buf *b, int16_t v)
{
    uint16_t n = htons((uint16_t)v);
    ko_put(b, &n, 2);
}
void ko_put_i32(ko_buf *b, int32_t v)
{
    uint32_t n = htonl((uint32_t)v);
    ko_put(b, &n, 4);
}
void ko_put_i64(ko_buf *b, int64_t v)
{
    ko_put_i32(b, (int32_t)((uint64_t)v >> 32));
    ko_put_i32(b, (int32_t)((uint64_t)v & 0xffffffffu));
}
void ko_put_str(ko_buf *b, const char *s)
{
    if (s == NULL) {
        ko_put_i16(b, -1);
        return;
    }
    ko_put_i16(b, (int16_t)strlen(s));
    ko_put(b, s, strlen(s));
}

static const unsigned char *ko_take(ko_buf *b, size_t n)
{
    const unsigned char *p;
    if (b->bad || b->len - b->pos < n) {
        b->bad = 1;
        return NULL;
    }
    p = b->data + b->pos;
    b->pos += n;
    return p;
}

int8_t ko_get_i8(ko_buf *b)
{
    const unsigned char *p = ko_take(b, 1);
    return p ? (int8_t)p[0] : 0;
}
int16_t ko_get_i16(ko_buf *b)
{
    const unsigned char *p = ko_take(b, 2);
    return p ? (int16_t)(((uint16_t)p[0] << 8) | p[1]) : 0;
}
int32_t ko_get_i32(ko_buf *b)
{
    const unsigned char *p = ko_take(b, 4);
    return p ? (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]) : 0;
}
int64_t ko_get_i64(ko_buf *b)
{
    uint64_t hi = (uint32_t)ko_get_i32(b), lo = (uint32_t)ko_get_i32(b);
    return (int64_t)((hi << 32) | lo);
}
void ko_get_str(ko_buf *b, char *out, size_t outlen)
{
    int16_t n = ko_get_i16(b);
    const unsigned char *p;
    out[0] = '\0';
    if (n < 0)
        return;
    if ((p = ko_take(b, (size_t)n)) == NULL)
        return;
    snprintf(out, outlen, "%.*s", (int)n, (const char *)p);
}

/* A count of array elements; a negative (null) array counts 0, an absurd
 * one marks the buffer bad. */
static int32_t ko_get_count(ko_buf *b)
{
    int32_t n = ko_get_i32(b);
    if (n < 0)
        return 0;
    if ((size_t)n > b->len - b->pos) {
        b->bad = 1;
        return 0;
    }
    return n;
}

static ko_partition *ko_find(ko_offsets *o, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->p[i].partition == partition && strcmp(o->p[i].topic, topic) == 0)
            return &o->p[i];
    return NULL;
}

/* ---- decoders -------------------------------------------------------------- */

int ko_decode_metadata(ko_buf *b, const char *const *topics, size_t ntopics, ko_offsets *out, char *err, size_t errlen)
{
    char name[96], host[128];
    int32_t nb, nt;

    out->n = 0;
    out->nbrokers = 0;
    ko_get_i32(b); /* throttle */
    nb = ko_get_count(b);
    for (int32_t i = 0; i < nb && !b->bad; i++) {
        ko_broker *kb = &out->brokers[out->nbrokers];
        int32_t id = ko_get_i32(b), port;
        ko_get_str(b, host, sizeof host);
        port = ko_get_i32(b);
        ko_get_str(b, name, sizeof name); /* rack */
        if (out->nbrokers == KO_MAX_BROKERS) {
            snprintf(err, errlen, "kafka: more than %d brokers", KO_MAX_BROKERS);
            return -1;
        }
        kb->id = id;
        snprintf(kb->host, sizeof kb->host, "%s", host);
        kb->port = port;
        out->nbrokers++;
    }
    ko_get_str(b, host, sizeof host); /* cluster id */
    ko_get_i32(b);                    /* controller */
    nt = ko_get_count(b);
    for (int32_t t = 0; t < nt && !b->bad; t++) {
        int16_t terr = ko_get_i16(b);
        int32_t np;
        ko_get_str(b, name, sizeof name);
        ko_get_i8(b); /* internal */
        if (terr != 0) {
            snprintf(err, errlen, "kafka: metadata of topic %s: error %d", name, (int)terr);
            return -1;
        }
        np = ko_get_count(b);
        for (int32_t p = 0; p < np && !b->bad; p++) {
            int32_t idx, nr, leader;
            ko_get_i16(b);
            idx = ko_get_i32(b);
            leader = ko_get_i32(b);
            for (int k = 0; k < 2; k++) {
                nr = ko_get_count(b);
                for (int32_t r = 0; r < nr; r++)
                    ko_get_i32(b);
            }
            if (out->n == KO_MAX_PARTITIONS) {
                snprintf(err, errlen, "kafka: more than %d partitions", KO_MAX_PARTITIONS);
                return -1;
            }
            snprintf(out->p[out->n].topic, sizeof out->p[out->n].topic, "%s", name);
            out->p[out->n].partition = idx;
            out->p[out->n].end = -1;
            out->p[out->n].committed = -1;
            out->p[out->n].leader = leader;
            out->n++;
        }
    }
    if (b->bad) {
        snprintf(err, errlen, "kafka: malformed metadata response");
        return -1;
    }
    for (size_t i = 0; i < ntopics; i++) {
        size_t k;
        for (k = 0; k < out->n && strcmp(out->p[k].topic, topics[i]) != 0; k++)
            ;
        if (k == out->n) {
            snprintf(err, errlen, "kafka: topic %s has no partitions", topics[i]);
            return -1;
        }
    }
    return 0;
}

int ko_decode_list_offsets(ko_buf *b, ko_offsets *out, char *err, size_t errlen)
{
    char name[96];
    int32_t nt;

    ko_get_i32(b);
    nt = ko_get_count(b);
    for (int32_t t = 0; t < nt && !b->bad; t++) {
        int32_t np;
        ko_get_str(b, name, sizeof name);
        np = ko_get_count(b);
        for (int32_t p = 0; p < np && !b->bad; p++) {
            int32_t idx = ko_get_i32(b);
            int16_t perr = ko_get_i16(b);
            ko_partition *kp;
            int64_t off;
            ko_get_i64(b); /* timestamp */
            off = ko_get_i64(b);
            if (perr != 0) {
                snprintf(err, errlen, "kafka: end offset of %s/%d: error %d", name, (int)idx, (int)perr);
                return -1;
            }
            if ((kp = ko_find(out, name, idx)) != NULL)
                kp->end = off;
        }
    }
    if (b->bad) {
        snprintf(err, errlen, "kafka: malformed ListOffsets response");
        return -1;
    }
    return 0;
}

int ko_decode_offset_fetch(ko_buf *b, ko_offsets *out, char *err, size_t errlen)
{
    char name[96], meta[256];
    int32_t nt;
    int16_t gerr;

    ko_get_i32(b);
    nt = ko_get_count(b);
    for (int32_t t = 0; t < nt && !b->bad; t++) {
        int32_t np;
        ko_get_str(b, name, sizeof name);
        np = ko_get_count(b);
        for (int32_t p = 0; p < np && !b->bad; p++) {
            int32_t idx = ko_get_i32(b);
            int64_t off = ko_get_i64(b);
            int16_t perr;
            ko_partition *kp;
            ko_get_str(b, meta, sizeof meta);
            perr = ko_get_i16(b);
            if (perr != 0) {
                snprintf(err, errlen, "kafka: committed offset of %s/%d: error %d", name, (int)idx, (int)perr);
                return -1;
            }
            if ((kp = ko_find(out, name, idx)) != NULL)
                kp->committed = off;
        }
    }
    gerr = ko_get_i16(b);
    if (b->bad) {
        snprintf(err, errlen, "kafka: malformed OffsetFetch response");
        return -1;
    }
    if (gerr != 0) {
        snprintf(err, errlen, "kafka: OffsetFetch: group error %d", (int)gerr);
        return -1;
    }
    return 0;
}

/* ---- transport ------------------------------------------------------------- */

static int ko_connect(const char *host, int port, int timeout_ms, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int fd, one = 1;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "kafka: bad address %s", host);
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "kafka: connect %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int ko_io(int fd, void *p, size_t n, int writing)
{
    unsigned char *c = p;
    while (n > 0) {
        ssize_t k = writing ? send(fd, c, n, MSG_NOSIGNAL) : recv(fd, c, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ko_roundtrip: send api_key/version with body; read the answer into
 * resp (positioned after the correlation id). 0 or -1. */
static int ko_roundtrip(int fd, int16_t key, int16_t version, const ko_buf *body, ko_buf *resp, char *err,
                        size_t errlen)
{
    static int32_t correlation = 1;
    ko_buf req = {0};
    uint32_t size;
    int32_t corr = __atomic_add_fetch(&correlation, 1, __ATOMIC_RELAXED);

    ko_put_i32(&req, 0);
    ko_put_i16(&req, key);
    ko_put_i16(&req, version);
    ko_put_i32(&req, corr);
    ko_put_str(&req, "feed-chaos");
    ko_put(&req, body->data, body->len);
    if (req.bad)
        goto fail;
    size = htonl((uint32_t)(req.len - 4));
    memcpy(req.data, &size, 4);
    if (ko_io(fd, req.data, req.len, 1) != 0 || ko_io(fd, &size, 4, 0) != 0)
        goto fail;
    free(req.data);
    size = ntohl(size);
    if (size < 4 || size > (64u << 20))
        goto bad;
    memset(resp, 0, sizeof *resp);
    if ((resp->data = malloc(size)) == NULL)
        goto bad;
    resp->len = resp->cap = size;
    if (ko_io(fd, resp->data, size, 0) != 0)
        goto bad;
    if (ko_get_i32(resp) != corr)
        goto bad;
    return 0;
fail:
    free(req.data);
    snprintf(err, errlen, "kafka: request %d: %s", (int)key, strerror(errno));
    return -1;
bad:
    snprintf(err, errlen, "kafka: bad or missing answer to request %d", (int)key);
    return -1;
}

static int ko_metadata(int fd, const char *const *topics, size_t ntopics, ko_offsets *out, char *err, size_t errlen)
{
    ko_buf body = {0}, resp = {0};
    int rc;

    ko_put_i32(&body, (int32_t)ntopics);
    for (size_t i = 0; i < ntopics; i++)
        ko_put_str(&body, topics[i]);
    ko_put_i8(&body, 0); /* no auto-creation */
    rc = ko_roundtrip(fd, KO_METADATA, 4, &body, &resp, err, errlen);
    if (rc == 0)
        rc = ko_decode_metadata(&resp, topics, ntopics, out, err, errlen);
    free(body.data);
    free(resp.data);
    return rc;
}

/* ko_put_partitions: the topics/partitions array shared by both requests;
 * with_timestamp for ListOffsets (each partition: index, -1 = latest). */
static void ko_put_partitions(ko_buf *b, const ko_offsets *o, int with_timestamp)
{
    size_t i = 0;
    int32_t ntopics = 0;

    for (size_t k = 0; k < o->n; k++)
        if (k == 0 || strcmp(o->p[k].topic, o->p[k - 1].topic) != 0)
            ntopics++;
    ko_put_i32(b, ntopics);
    while (i < o->n) {
        size_t j = i;
        while (j < o->n && strcmp(o->p[j].topic, o->p[i].topic) == 0)
            j++;
        ko_put_str(b, o->p[i].topic);
        ko_put_i32(b, (int32_t)(j - i));
        for (size_t k = i; k < j; k++) {
            ko_put_i32(b, o->p[k].partition);
            if (with_timestamp)
                ko_put_i64(b, -1);
        }
        i = j;
    }
}

static int ko_list_offsets(int fd, ko_offsets *o, char *err, size_t errlen)
{
    ko_buf body = {0}, resp = {0};
    int rc;

    ko_put_i32(&body, -1); /* replica id: a consumer */
    ko_put_i8(&body, 1);   /* read_committed: the LSO */
    ko_put_partitions(&body, o, 1);
    rc = ko_roundtrip(fd, KO_LIST_OFFSETS, 2, &body, &resp, err, errlen);
    if (rc == 0)
        rc = ko_decode_list_offsets(&resp, o, err, errlen);
    free(body.data);
    free(resp.data);
    return rc;
}

/* ko_list_offsets_by_leader: ListOffsets to each partition's leader, for
 * the partitions it leads (a broker answers NOT_LEADER for the others).
 * The partitions of one leader keep their topic order, as
 * ko_put_partitions groups consecutive partitions of a topic. */
static int ko_list_offsets_by_leader(ko_offsets *o, int timeout_ms, char *err, size_t errlen)
{
    ko_offsets *sub = malloc(sizeof *sub);
    int rc = 0;

    if (sub == NULL) {
        snprintf(err, errlen, "kafka: out of memory");
        return -1;
    }
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        if (o->p[i].leader < 0) {
            snprintf(err, errlen, "kafka: %s/%d has no leader now", o->p[i].topic, (int)o->p[i].partition);
            rc = -1;
        }
    }
    for (size_t b = 0; b < o->nbrokers && rc == 0; b++) {
        const ko_broker *kb = &o->brokers[b];
        int fd;
        sub->n = 0;
        sub->nbrokers = 0;
        for (size_t i = 0; i < o->n; i++)
            if (o->p[i].leader == kb->id)
                sub->p[sub->n++] = o->p[i];
        if (sub->n == 0)
            continue;
        if ((fd = ko_connect(kb->host, kb->port, timeout_ms, err, errlen)) < 0) {
            rc = -1;
            break;
        }
        rc = ko_list_offsets(fd, sub, err, errlen);
        close(fd);
        for (size_t i = 0; rc == 0 && i < sub->n; i++) {
            ko_partition *kp = ko_find(o, sub->p[i].topic, sub->p[i].partition);
            if (kp != NULL)
                kp->end = sub->p[i].end;
        }
    }
    for (size_t i = 0; i < o->n && rc == 0; i++) {
        if (o->p[i].end < 0) {
            snprintf(err, errlen, "kafka: %s/%d: its leader %d is not among the brokers", o->p[i].topic,
                     (int)o->p[i].partition, (int)o->p[i].leader);
            rc = -1;
        }
    }
    free(sub);
    return rc;
}

/* ko_committed: find the group's coordinator, then fetch its offsets. */
static int ko_committed(int fd, const char *group, int timeout_ms, ko_offsets *o, char *err, size_t errlen)
{
    ko_buf body = {0}, resp = {0};
    char host[128], msg[128];
    int rc, cfd = -1;
    int16_t cerr;
    int32_t port;

    ko_put_str(&body, group);
    ko_put_i8(&body, 0);
    rc = ko_roundtrip(fd, KO_FIND_COORDINATOR, 1, &body, &resp, err, errlen);
    free(body.data);
    memset(&body, 0, sizeof body);
    if (rc != 0)
        return -1;
    ko_get_i32(&resp);
    cerr = ko_get_i16(&resp);
    ko_get_str(&resp, msg, sizeof msg);
    ko_get_i32(&resp);
    ko_get_str(&resp, host, sizeof host);
    port = ko_get_i32(&resp);
    free(resp.data);
    if (resp.bad || cerr != 0) {
        snprintf(err, errlen, "kafka: no coordinator for group %s (error %d %s)", group, (int)cerr, msg);
        return -1;
    }
    if ((cfd = ko_connect(host, port, timeout_ms, err, errlen)) < 0)
        return -1;
    ko_put_str(&body, group);
    ko_put_partitions(&body, o, 0);
    rc = ko_roundtrip(cfd, KO_OFFSET_FETCH, 3, &body, &resp, err, errlen);
    if (rc == 0)
        rc = ko_decode_offset_fetch(&resp, o, err, errlen);
    free(body.data);
    free(resp.data);
    close(cfd);
    return rc;
}

int ko_fetch(const char *bootstrap, const char *const *topics, size_t ntopics, const char *group, int timeout_ms,
             ko_offsets *out, char *err, size_t errlen)
{
    char host[128];
    const char *entry = bootstrap;
    int fd = -1, rc, port;

    /* The first broker of the list that accepts a connection. */
    while (fd < 0 && entry != NULL && *entry != '\0') {
        const char *colon = strchr(entry, ':'), *comma = strchr(entry, ',');
        size_t hl = colon && (comma == NULL || colon < comma) ? (size_t)(colon - entry) : 0;
        port = hl ? atoi(colon + 1) : 0;
        if (hl == 0 || hl >= sizeof host || port <= 0 || port > 65535) {
            snprintf(err, errlen, "kafka: bad bootstrap address '%s'", bootstrap);
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)hl, entry);
        fd = ko_connect(host, port, timeout_ms, err, errlen);
        entry = comma ? comma + 1 : NULL;
    }
    if (fd < 0)
        return -1;
    rc = ko_metadata(fd, topics, ntopics, out, err, errlen);
    if (rc == 0 && out->nbrokers <= 1)
        rc = ko_list_offsets(fd, out, err, errlen);
    else if (rc == 0)
        rc = ko_list_offsets_by_leader(out, timeout_ms, err, errlen);
    if (rc == 0 && group != NULL)
        rc = ko_committed(fd, group, timeout_ms, out, err, errlen);
    close(fd);
    return rc;
}
