/* kafka_offsets.h: the two numbers "has the consumer caught up?" needs,
 * read straight from a Kafka broker over its binary protocol:
 *
 *   - per partition, the last stable offset (LSO): ListOffsets v2 with
 *     isolation_level = read_committed, i.e. the end a read_committed
 *     consumer can reach (everything below it is committed or aborted);
 *   - per partition, the offset a consumer group has committed:
 *     OffsetFetch v3, sent to the group's coordinator (FindCoordinator v1).
 *
 * Partitions come from Metadata v4. Only non-flexible protocol versions
 * are used (all still served by Kafka 4.x, which dropped only the oldest
 * ones), so there are no tagged fields. No librdkafka is packaged where
 * the project builds, and this needs a few hundred lines, not a client.
 *
 * With several brokers (a cluster, FEED_NODES=3), Metadata names each
 * partition's leader and every broker's address: ListOffsets goes to each
 * leader for its partitions (a partition answers only on its leader), the
 * other requests to the first bootstrap broker that accepts a connection.
 */
#ifndef FEED_CHAOS_KAFKA_OFFSETS_H
#define FEED_CHAOS_KAFKA_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#define KO_MAX_PARTITIONS 256
#define KO_MAX_BROKERS 16

typedef struct ko_partition {
    char topic[96];
    int32_t partition;
    int64_t end;       /* last stable offset, -1 unknown */
    int64_t committed; /* the group's committed offset, -1 if none */
    int32_t leader;    /* the broker id leading it, -1 none (an election under way) */
} ko_partition;

typedef struct ko_broker {
    int32_t id;
    char host[128];
    int32_t port;
} ko_broker;

typedef struct ko_offsets {
    size_t n;
    ko_partition p[KO_MAX_PARTITIONS];
    size_t nbrokers;
    ko_broker brokers[KO_MAX_BROKERS];
} ko_offsets;

/* Fill out with every partition of the given topics, their LSO and the
 * committed offset of group. bootstrap: "host:port" or a comma-separated
 * list of them, tried in order. 0, or -1 with err set. */
int ko_fetch(const char *bootstrap, const char *const *topics, size_t ntopics, const char *group, int timeout_ms,
             ko_offsets *out, char *err, size_t errlen);

/* Encoding and decoding, exposed for the unit tests. A ko_buf is a byte
 * buffer being written or read; reads past the end set bad. */
typedef struct ko_buf {
    unsigned char *data;
    size_t len, cap, pos;
    int bad;
} ko_buf;

void ko_put_i8(ko_buf *b, int8_t v);
void ko_put_i16(ko_buf *b, int16_t v);
void ko_put_i32(ko_buf *b, int32_t v);
void ko_put_i64(ko_buf *b, int64_t v);
void ko_put_str(ko_buf *b, const char *s); /* NULL: the null string */
int8_t ko_get_i8(ko_buf *b);
int16_t ko_get_i16(ko_buf *b);
int32_t ko_get_i32(ko_buf *b);
int64_t ko_get_i64(ko_buf *b);
/* Copies a string into out (truncated to outlen-1); a null string gives "". */
void ko_get_str(ko_buf *b, char *out, size_t outlen);

/* Decoders of the response bodies (after the correlation id), filling or
 * matching entries of out. 0, or -1 with err. */
int ko_decode_metadata(ko_buf *b, const char *const *topics, size_t ntopics, ko_offsets *out, char *err, size_t errlen);
int ko_decode_list_offsets(ko_buf *b, ko_offsets *out, char *err, size_t errlen);
int ko_decode_offset_fetch(ko_buf *b, ko_offsets *out, char *err, size_t errlen);

#endif
