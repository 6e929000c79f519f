/* report.c: the markdown table of a chaos run (report.h). */
#include "tools/chaos/report.h"

#include <inttypes.h>

int rp_fault_ok(const rp_fault *f)
{
    int unseen = 0;
    for (int w = 0; f->probed && w < PB_WINDOWS; w++)
        unseen += f->probe.seen[w] != f->probe.posted[w];
    return f->caught_up && f->feedcheck_exit == 0 && f->lost == 0 && f->doubled == 0 && f->half_written == 0 &&
           f->counts.unresolved == 0 && unseen == 0;
}

static double rp_s(int64_t ms)
{
    return (double)ms / 1000.0;
}

/* "N differences" (missing, duplicated, extra, out of order, counts off). */
static const char *rp_diffs(const rp_fault *f, char *out, size_t outlen)
{
    if (f->differences < 0)
        snprintf(out, outlen, "differences");
    else
        snprintf(out, outlen, "%lld differences", f->differences);
    return out;
}

const char *rp_probe_cell(const pb_summary *s, int window, char *out, size_t outlen)
{
    if (s->posted[window] == 0)
        snprintf(out, outlen, "-");
    else if (s->seen[window] < s->posted[window])
        snprintf(out, outlen, "**never seen: %" PRId64 " of %" PRId64 "**", s->posted[window] - s->seen[window],
                 s->posted[window]);
    else
        snprintf(out, outlen, "%.1f (%" PRId64 ")", rp_s(s->p99_ms[window]), s->seen[window]);
    return out;
}

void rp_print(FILE *out, const rp_fault *faults, int n, const char *command)
{
    fprintf(out, "Command: `%s`\n\n", command);
    fprintf(out, "| fault | how | writes | accepted | refused 503 (clear) | refused 4xx | refused, unclear | "
                 "not sent | unknown: written / not / unresolved | half-written | lost | doubled | "
                 "part back (s) | writes failing (s) | catch-up (s) | reads (failed) | feed reads failing: n, s | "
                 "commit→readable p99 s (posts): during | after | feedcheck | ok |\n");
    fprintf(out, "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
                 "\n");
    for (int i = 0; i < n; i++) {
        const rp_fault *f = &faults[i];
        const ld_counts *c = &f->counts;
        char diffs[96], reads[64], during[64], after[64];
        snprintf(reads, sizeof reads, "%" PRId64 ", %.1f", f->reads_failing, rp_s(f->read_fail_span_ms));
        if (f->probed) {
            rp_probe_cell(&f->probe, PB_DURING, during, sizeof during);
            rp_probe_cell(&f->probe, PB_AFTER, after, sizeof after);
        } else {
            snprintf(during, sizeof during, "not probed");
            snprintf(after, sizeof after, "not probed");
        }
        fprintf(out,
                "| %s | %s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
                " | %" PRId64 " / %" PRId64 " / %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
                " | %.1f | %.1f | %s%.1f | %" PRId64 " (%" PRId64 ") | %s | %s | %s | %s%s%s | %s |\n",
                f->name, f->how, c->writes, c->outcome[LD_ACCEPTED], c->outcome[LD_REFUSED_5XX],
                c->outcome[LD_REFUSED_4XX], c->outcome[LD_REFUSED_UNCLEAR], c->outcome[LD_NOT_SENT],
                c->resolved_written, c->resolved_not_written, c->unresolved, f->half_written, f->lost, f->doubled,
                rp_s(f->restart_ms), rp_s(f->outage_ms), f->caught_up ? "" : "NOT caught up after ",
                rp_s(f->catchup_ms), c->reads, c->reads_failed, reads, during, after,
                f->feedcheck_exit == 0 ? "0 differences" : "exit ",
                f->feedcheck_exit == 0 ? "" : (f->feedcheck_exit == 1 ? "1: " : "other (not checked)"),
                f->feedcheck_exit == 1 ? rp_diffs(f, diffs, sizeof diffs) : "", rp_fault_ok(f) ? "yes" : "**NO**");
    }
    fprintf(out, "\nOracle figures per fault (feedcheck's counter lines):\n\n");
    for (int i = 0; i < n; i++)
        fprintf(out, "- %s: %s%s%s\n", faults[i].name, faults[i].feedcheck[0] ? faults[i].feedcheck : "(none printed)",
                faults[i].note[0] ? " — " : "", faults[i].note);
    fprintf(out, "\nProbe per fault (a post every 0.5 s, its follower's home read every 0.1 s; acknowledged "
                 "before / during / after the fault, seen of them, slowest in s; failed POSTs; follower's reads, "
                 "failed):\n\n");
    for (int i = 0; i < n; i++) {
        const pb_summary *p = &faults[i].probe;
        if (!faults[i].probed) {
            fprintf(out, "- %s: not probed\n", faults[i].name);
            continue;
        }
        fprintf(out, "- %s:", faults[i].name);
        for (int w = 0; w < PB_WINDOWS; w++)
            fprintf(out, "%s %" PRId64 " seen %" PRId64 ", slowest %.1f", w ? " /" : "", p->posted[w], p->seen[w],
                    rp_s(p->max_ms[w] < 0 ? 0 : p->max_ms[w]));
        fprintf(out, "; %" PRId64 " POSTs failed; %" PRId64 " reads, %" PRId64 " failed\n", p->posts_failed, p->reads,
                p->reads_failed);
    }
}
