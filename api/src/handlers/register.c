/* register.c: the routes of handlers.h. */
#include "api/src/handlers/handlers.h"

int handlers_write_register(router *r)
{
    static const struct {
        const char *method, *pattern;
        router_handler *h;
    } routes[] = {
        {"GET", "/", page_index},
        {"POST", "/v1/users", users_create},
        {"GET", "/v1/users", users_find},
        {"GET", "/v1/users/{id}", users_get},
        {"POST", "/v1/users/{id}/follow", follows_create},
        {"DELETE", "/v1/users/{id}/follow", follows_delete},
        {"GET", "/v1/users/{id}/followers", follow_lists_followers},
        {"GET", "/v1/users/{id}/followees", follow_lists_followees},
        {"POST", "/v1/posts", posts_create},
        {"GET", "/v1/posts/{id}", posts_get},
        {"DELETE", "/v1/posts/{id}", posts_delete},
        {"POST", "/v1/posts/{id}/comments", comments_create},
        {"DELETE", "/v1/comments/{id}", comments_delete},
        {"POST", "/v1/posts/{id}/like", likes_create},
        {"DELETE", "/v1/posts/{id}/like", likes_delete},
        {"GET", "/v1/users/{id}/markers/{timeline}", markers_get},
        {"PUT", "/v1/users/{id}/markers/{timeline}", markers_put},
    };
    size_t i;

    for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (router_add(r, routes[i].method, routes[i].pattern, routes[i].h, NULL) != 0)
            return -1;
    }
    return 0;
}
