/* redis_script.c: EVALSHA with a transparent EVAL after NOSCRIPT. */
#include "api/src/read/redis_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#define RS_MAX_ARGS 1100

typedef struct rs_call {
    const redis_script *s;
    redis_client_cb *cb;
    void *privdata;
    int retried;
    int argc;          /* of argv: command, script/sha, numkeys, args */
    const char **argv; /* into this block */
    size_t *lens;
} rs_call;

int redis_script_init(redis_script *s)
{
    unsigned char md[SHA_DIGEST_LENGTH];
    int i;

    if (SHA1((const unsigned char *)s->text, strlen(s->text), md) == NULL)
        return -1;
    for (i = 0; i < SHA_DIGEST_LENGTH; i++)
        snprintf(s->sha + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static int rs_noscript(const redisReply *r)
{
    return r != NULL && r->type == REDIS_REPLY_ERROR && r->len >= 8 && memcmp(r->str, "NOSCRIPT", 8) == 0;
}

static void rs_on_reply(redis_client *c, int status, redisReply *reply, void *privdata)
{
    rs_call *call = privdata;

    if (status == REDIS_CLIENT_OK && rs_noscript(reply) && !call->retried) {
        call->retried = 1;
        call->argv[0] = "EVAL";
        call->argv[1] = call->s->text;
        call->lens[0] = 4;
        call->lens[1] = strlen(call->s->text);
        if (redis_client_commandargv(c, rs_on_reply, call, call->argc, call->argv, call->lens) == REDIS_CLIENT_OK)
            return;
        status = c->err != REDIS_CLIENT_ENONE ? c->err : REDIS_CLIENT_EDISCONNECTED;
        reply = NULL;
    }
    if (call->cb != NULL)
        call->cb(c, status, reply, call->privdata);
    free(call);
}

int redis_script_call(redis_client *c, const redis_script *s, int numkeys, int argc, const char **argv,
                      const size_t *lens, redis_client_cb *cb, void *privdata)
{
    size_t total = sizeof(rs_call), i, n = (size_t)argc + 3;
    char nk[16], *p;
    rs_call *call;

    if (argc < 0 || argc > RS_MAX_ARGS) {
        c->err = REDIS_CLIENT_EARG;
        return REDIS_CLIENT_ERR;
    }
    snprintf(nk, sizeof(nk), "%d", numkeys);
    total += n * (sizeof(char *) + sizeof(size_t)) + sizeof(nk);
    for (i = 0; i < (size_t)argc; i++)
        total += lens != NULL ? lens[i] : strlen(argv[i]);
    call = malloc(total);
    if (call == NULL) {
        c->err = REDIS_CLIENT_ENOMEM;
        return REDIS_CLIENT_ERR;
    }
    call->s = s;
    call->cb = cb;
    call->privdata = privdata;
    call->retried = 0;
    call->argc = (int)n;
    call->argv = (const char **)(call + 1);
    call->lens = (size_t *)(call->argv + n);
    p = (char *)(call->lens + n);
    call->argv[0] = "EVALSHA", call->lens[0] = 7;
    call->argv[1] = s->sha, call->lens[1] = 40;
    memcpy(p, nk, sizeof(nk));
    call->argv[2] = p, call->lens[2] = strlen(nk);
    p += sizeof(nk);
    for (i = 0; i < (size_t)argc; i++) {
        size_t len = lens != NULL ? lens[i] : strlen(argv[i]);
        memcpy(p, argv[i], len);
        call->argv[i + 3] = p, call->lens[i + 3] = len;
        p += len;
    }
    if (redis_client_commandargv(c, rs_on_reply, call, call->argc, call->argv, call->lens) != REDIS_CLIENT_OK) {
        free(call);
        return REDIS_CLIENT_ERR;
    }
    return REDIS_CLIENT_OK;
}
