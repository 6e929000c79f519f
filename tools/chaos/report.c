/* report.c: the markdown table of a chaos run (report.h). */
#include "tools/chaos/report.h"

#include <inttypes.h>

int rp_fault_ok(const rp_fault *f)
{
    return f->caught_up && f->feedcheck_exit == 0 && f->lost == 0 && f->doubled == 0 && f->half_written == 0 &&
           f->counts.unresolved == 0;
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

void rp_print(FILE *out, const rp_fault *faults, int n, const char *command)
{
    fprintf(out, "Command: `%s`\n\n", command);
    fprintf(out, "| fault | how | writes | accepted | refused 503 (clear) | refused 4xx | refused, unclear | "
                 "not sent | unknown: written / not / unresolved | half-written | lost | doubled | "
                 "part back (s) | writes failing (s) | catch-up (s) | reads (failed) | feedcheck | ok |\n");
    fprintf(out, "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (int i = 0; i < n; i++) {
        const rp_fault *f = &faults[i];
        const ld_counts *c = &f->counts;
        char diffs[96];
        fprintf(out,
                "| %s | %s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
                " | %" PRId64 " / %" PRId64 " / %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
                " | %.1f | %.1f | %s%.1f | %" PRId64 " (%" PRId64 ") | %s%s%s | %s |\n",
                f->name, f->how, c->writes, c->outcome[LD_ACCEPTED], c->outcome[LD_REFUSED_5XX],
                c->outcome[LD_REFUSED_4XX], c->outcome[LD_REFUSED_UNCLEAR], c->outcome[LD_NOT_SENT],
                c->resolved_written, c->resolved_not_written, c->unresolved, f->half_written, f->lost, f->doubled,
                rp_s(f->restart_ms), rp_s(f->outage_ms), f->caught_up ? "" : "NOT caught up after ",
                rp_s(f->catchup_ms), c->reads, c->reads_failed, f->feedcheck_exit == 0 ? "0 differences" : "exit ",
                f->feedcheck_exit == 0 ? "" : (f->feedcheck_exit == 1 ? "1: " : "other (not checked)"),
                f->feedcheck_exit == 1 ? rp_diffs(f, diffs, sizeof diffs) : "", rp_fault_ok(f) ? "yes" : "**NO**");
    }
    fprintf(out, "\nOracle figures per fault (feedcheck's counter lines):\n\n");
    for (int i = 0; i < n; i++)
        fprintf(out, "- %s: %s%s%s\n", faults[i].name, faults[i].feedcheck[0] ? faults[i].feedcheck : "(none printed)",
                faults[i].note[0] ? " — " : "", faults[i].note);
}
