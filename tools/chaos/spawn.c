/* spawn.c: posix_spawn with a pipe and a deadline (spawn.h). */
#include "tools/chaos/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long sp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read what the child writes until EOF or the deadline; 0 at EOF, 1 late. */
static int sp_collect(int fd, long deadline, char **out, size_t *len)
{
    size_t cap = 4096;
    char *buf = malloc(cap);
    if (buf == NULL)
        return -1;
    *len = 0;
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        long left = deadline - sp_now_ms();
        ssize_t n;
        if (left <= 0)
            break;
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        if (cap - *len < 1024) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 2;
        }
        n = read(fd, buf + *len, cap - *len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            buf[*len] = '\0';
            *out = buf;
            return 0;
        }
        *len += (size_t)n;
    }
    buf[*len] = '\0';
    *out = buf;
    return 1;
}

int sp_run(char *const argv[], int timeout_ms, char **output)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int pipefd[2] = {-1, -1}, status = 0, rc, late = 0;
    long deadline = sp_now_ms() + timeout_ms;
    pid_t pid;
    size_t len;

    if (output != NULL)
        *output = NULL;
    if (output != NULL && pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    /* Its own process group, so a timeout kills what it started too. */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (output != NULL) {
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    }
    rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (output != NULL)
        close(pipefd[1]);
    if (rc != 0) {
        if (output != NULL)
            close(pipefd[0]);
        errno = rc;
        return -1;
    }
    if (output != NULL) {
        late = sp_collect(pipefd[0], deadline, output, &len) != 0;
        close(pipefd[0]);
    }
    if (late)
        kill(-pid, SIGKILL);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            return -1;
        if (!late && sp_now_ms() >= deadline) {
            late = 1;
            kill(-pid, SIGKILL);
        }
        usleep(20000);
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}
