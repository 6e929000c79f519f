/* time_format.c: microseconds to RFC 3339, by calendar arithmetic.
 *
 * Days to a civil date uses Howard Hinnant's civil_from_days (eras of
 * 400 years, March-based years so the leap day is last), valid for every
 * day in our range without tables or loops.
 */
#include "api/src/wire/time_format.h"

#include <stdio.h>

/* floor(a / b) and the matching non-negative remainder, b > 0. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;

    if (r < 0) {
        r += b;
        q--;
    }
    *rem = r;
    return q;
}

/* Days since 1970-01-01 to year/month/day (proleptic Gregorian). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, doe_rem;
    unsigned doe, yoe, doy, mp;

    z += 719468; /* days from 0000-03-01 */
    era = floor_div(z, 146097, &doe_rem);
    doe = (unsigned)doe_rem;                                     /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int format_time_us(int64_t us, char *out, size_t cap)
{
    int64_t frac, secs, day_s, days, year;
    unsigned month, day;
    int n;

    if (us < TIME_FORMAT_MIN_US || us > TIME_FORMAT_MAX_US || out == NULL || cap < TIME_FORMAT_SIZE)
        return -1;
    secs = floor_div(us, 1000000, &frac);
    days = floor_div(secs, 86400, &day_s);
    civil_from_days(days, &year, &month, &day);
    n = snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%06uZ", (long long)year, month, day,
                 (unsigned)(day_s / 3600), (unsigned)(day_s / 60 % 60), (unsigned)(day_s % 60), (unsigned)frac);
    return n == TIME_FORMAT_LEN ? n : -1;
}
