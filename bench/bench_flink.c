/* bench_flink.c: Flink REST calls and their JSON (jansson). */
#include "bench/bench_flink.h"
#include "bench/bench_http.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BENCH_FLINK_TIMEOUT_MS 5000

/* GET path as JSON; NULL with f->err. */
static json_t *bench_flink_get(bench_flink *f, const char *path)
{
    int status;
    char *body, err[256];
    size_t len;
    json_t *j;
    json_error_t jerr;

    if (bench_http_get(f->rest.host, f->rest.port, path, BENCH_FLINK_TIMEOUT_MS, &status, &body, &len, err,
                       sizeof err) != 0) {
        snprintf(f->err, sizeof f->err, "GET %s: %s", path, err);
        return NULL;
    }
    if (status != 200) {
        snprintf(f->err, sizeof f->err, "GET %s: HTTP %d: %.200s", path, status, body);
        free(body);
        return NULL;
    }
    j = json_loadb(body, len, 0, &jerr);
    free(body);
    if (j == NULL)
        snprintf(f->err, sizeof f->err, "GET %s: bad JSON: %s", path, jerr.text);
    return j;
}

int bench_flink_find(bench_flink *f, const bench_addr *rest)
{
    json_t *jobs, *job, *vertices, *v;
    size_t i;
    char path[256];

    f->rest = *rest;
    f->job_id[0] = f->fanout_vertex[0] = f->source_vertex[0] = '\0';
    jobs = bench_flink_get(f, "/jobs/overview");
    if (jobs == NULL)
        return -1;
    json_array_foreach(json_object_get(jobs, "jobs"), i, job)
    {
        const char *name = json_string_value(json_object_get(job, "name"));
        const char *state = json_string_value(json_object_get(job, "state"));
        const char *jid = json_string_value(json_object_get(job, "jid"));
        if (name && state && jid && strcmp(name, "feed-fanout") == 0 && strcmp(state, "RUNNING") == 0) {
            snprintf(f->job_id, sizeof f->job_id, "%s", jid);
            f->start_ms = (int64_t)json_integer_value(json_object_get(job, "start-time"));
        }
    }
    json_decref(jobs);
    if (f->job_id[0] == '\0') {
        snprintf(f->err, sizeof f->err, "no RUNNING job named feed-fanout at %s:%d", rest->host, rest->port);
        return -1;
    }
    snprintf(path, sizeof path, "/jobs/%s", f->job_id);
    job = bench_flink_get(f, path);
    if (job == NULL)
        return -1;
    vertices = json_object_get(job, "vertices");
    json_array_foreach(vertices, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *id = json_string_value(json_object_get(v, "id"));
        if (name == NULL || id == NULL)
            continue;
        if (strncmp(name, "fanout", 6) == 0)
            snprintf(f->fanout_vertex, sizeof f->fanout_vertex, "%s", id);
        else if (strstr(name, "debezium-topics") != NULL)
            snprintf(f->source_vertex, sizeof f->source_vertex, "%s", id);
    }
    json_decref(job);
    if (f->fanout_vertex[0] == '\0' || f->source_vertex[0] == '\0') {
        snprintf(f->err, sizeof f->err, "job %s has no fanout or source vertex (operator names changed?)", f->job_id);
        return -1;
    }
    return 0;
}

/* Sum over subtasks of each metric in names (comma-separated), into out[]
 * in the same order. A metric not reported yet counts 0. */
static int bench_flink_sums(bench_flink *f, const char *vertex, const char *names, double *out, size_t n)
{
    char path[768];
    json_t *arr, *m;
    size_t i;

    snprintf(path, sizeof path, "/jobs/%s/vertices/%s/subtasks/metrics?get=%s&agg=sum", f->job_id, vertex, names);
    arr = bench_flink_get(f, path);
    if (arr == NULL)
        return -1;
    if (!json_is_array(arr)) {
        /* an unknown job or vertex answers with an error object */
        snprintf(f->err, sizeof f->err, "metrics of %s: not an array", vertex);
        json_decref(arr);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        out[k] = 0;
    json_array_foreach(arr, i, m)
    {
        const char *id = json_string_value(json_object_get(m, "id"));
        json_t *sum = json_object_get(m, "sum");
        const char *p = names;
        if (id == NULL)
            continue;
        for (size_t k = 0; k < n; k++) {
            size_t len = strcspn(p, ",");
            if (strlen(id) == len && strncmp(id, p, len) == 0)
                out[k] = json_is_number(sum) ? json_number_value(sum) : 0;
            p += len + (p[len] == ',');
        }
    }
    json_decref(arr);
    return 0;
}

int bench_flink_counts_get(bench_flink *f, bench_flink_counts *out)
{
    double fan[2], src[2];
    char old[64];
    int restarted = 0;

    if (bench_flink_sums(f, f->fanout_vertex, "feeds-cassandra__Writer.numRecordsSend,fanout.numRecordsOut", fan, 2) !=
            0 ||
        bench_flink_sums(f, f->source_vertex, "activities.numRecordsOut,Source__debezium-topics.numRecordsIn", src,
                         2) != 0) {
        /* the job may have been replaced: look again once */
        snprintf(old, sizeof old, "%s", f->job_id);
        if (bench_flink_find(f, &f->rest) != 0)
            return -1;
        if (strcmp(old, f->job_id) == 0)
            return -1;
        restarted = 1;
        if (bench_flink_sums(f, f->fanout_vertex, "feeds-cassandra__Writer.numRecordsSend,fanout.numRecordsOut", fan,
                             2) != 0 ||
            bench_flink_sums(f, f->source_vertex, "activities.numRecordsOut,Source__debezium-topics.numRecordsIn", src,
                             2) != 0)
            return -1;
    }
    out->delivered = fan[0];
    out->emitted = fan[1];
    out->activities = src[0];
    out->consumed = src[1];
    return restarted ? BENCH_FLINK_RESTARTED : 0;
}

int bench_flink_checkpoint_get(bench_flink *f, bench_flink_checkpoint *out)
{
    char path[256];
    json_t *j, *c;

    snprintf(path, sizeof path, "/jobs/%s/checkpoints", f->job_id);
    j = bench_flink_get(f, path);
    if (j == NULL)
        return -1;
    c = json_object_get(json_object_get(j, "latest"), "completed");
    out->id = -1;
    out->trigger_ms = out->ack_ms = 0;
    if (json_is_object(c)) {
        out->id = (long long)json_integer_value(json_object_get(c, "id"));
        out->trigger_ms = (int64_t)json_integer_value(json_object_get(c, "trigger_timestamp"));
        out->ack_ms = (int64_t)json_integer_value(json_object_get(c, "latest_ack_timestamp"));
    }
    json_decref(j);
    return 0;
}

int bench_flink_checkpoint_trigger(bench_flink *f)
{
    char path[128], err[256], *body;
    size_t len;
    int status;

    snprintf(path, sizeof path, "/jobs/%s/checkpoints", f->job_id);
    if (bench_http_request(f->rest.host, f->rest.port, "POST", path, "{\"checkpointType\":\"CONFIGURED\"}",
                           BENCH_FLINK_TIMEOUT_MS, &status, &body, &len, err, sizeof err) != 0) {
        snprintf(f->err, sizeof f->err, "POST %s: %s", path, err);
        return -1;
    }
    if (status / 100 != 2) {
        snprintf(f->err, sizeof f->err, "POST %s: HTTP %d: %.200s", path, status, body);
        free(body);
        return -1;
    }
    free(body);
    return 0;
}

void bench_flink_print_job_check(bench_flink *f, int64_t run_start_wall_ms)
{
    bench_flink now;
    int64_t wall_ms = bench_wall_us() / 1000;

    if (bench_flink_find(&now, &f->rest) != 0) {
        printf("WARNING: no running job at the end of the run (%s): the figures are not valid\n", now.err);
        return;
    }
    if (strcmp(now.job_id, f->job_id) != 0 || now.start_ms > run_start_wall_ms)
        printf("WARNING: the job was restarted or redeployed during this run (now %.8s, up %.0f s): the figures "
               "include its recovery; run again\n",
               now.job_id, (double)(wall_ms - now.start_ms) / 1e3);
    else if (run_start_wall_ms - now.start_ms < 120000)
        printf("NOTE: the job had been up only %.0f s when the run started (it may have been catching up)\n",
               (double)(run_start_wall_ms - now.start_ms) / 1e3);
    else
        printf("job %.8s up %.0f s, not restarted during the run\n", now.job_id,
               (double)(wall_ms - now.start_ms) / 1e3);
}

void bench_quiet_start(bench_quiet *q, int quiet_ms, int max_ms, int64_t now_ns)
{
    *q = (bench_quiet){.last = -1, .since_ns = now_ns, .start_ns = now_ns, .quiet_ms = quiet_ms, .max_ms = max_ms};
}

int bench_quiet_done(bench_quiet *q, double value, int64_t now_ns)
{
    if (value != q->last) {
        q->last = value;
        q->since_ns = now_ns;
    }
    return now_ns - q->since_ns >= (int64_t)q->quiet_ms * 1000000 ||
           now_ns - q->start_ns >= (int64_t)q->max_ms * 1000000;
}

void bench_flink_wait_quiet(bench_flink *f, int quiet_ms, int max_ms)
{
    bench_flink_counts c;
    bench_quiet q;

    /* The REST API answers metrics from a cache it refreshes every
     * metrics.fetcher.update-interval (10 s): a counter that has not moved
     * for less than two refreshes may be moving. Shorter windows were
     * declared quiet at once, and a set-up's backlog (100,000 follows)
     * then ran into the measurement (2026-12-07). */
    if (quiet_ms < 2 * BENCH_FLINK_METRICS_REFRESH_MS + 1000)
        quiet_ms = 2 * BENCH_FLINK_METRICS_REFRESH_MS + 1000;
    if (max_ms < quiet_ms)
        max_ms = quiet_ms;
    bench_quiet_start(&q, quiet_ms, max_ms, bench_mono_ns());
    for (;;) {
        if (bench_flink_counts_get(f, &c) < 0)
            bench_fail("flink: %s", f->err);
        if (bench_quiet_done(&q, c.delivered, bench_mono_ns()))
            return;
        usleep(100000);
    }
}
