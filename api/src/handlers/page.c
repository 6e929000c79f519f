/* page.c: GET / (handlers.h), the small web page of api/www/ (read at
 * start-up, app_shared_load_www): sign up, follow, post, comment, like,
 * and the home feed and notifications live from the streams, with the
 * unseen count of the markers. No build step: one HTML file with its
 * script. Without a --www-dir, 404. */
#include "api/src/handlers/handlers.h"

#include "api/src/app/worker.h"

void page_index(http_request *req, void *data)
{
    static const http_request_header_out headers[] = {
        {"Cache-Control", "no-cache"},
        {"Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"},
    };
    const worker *w = http_request_context(req);

    (void)data;
    if (w == NULL || w->shared == NULL || w->shared->www_index == NULL) {
        http_request_respond_error(req, 404, "not_found", "no page here (feed-api --www-dir api/www)");
        return;
    }
    http_request_respond_headers(req, 200, "text/html; charset=utf-8",
                                 slice_make(w->shared->www_index, w->shared->www_index_len), headers, 2);
}
