/* The RTSP probe (see probe.h). */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <libavformat/avformat.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"

/* Waits for fd to become ready for `events`, in slices of at most 100 ms so
 * that a stop request is seen promptly. Returns 1 ready, 0 deadline or stop. */
static int wait_fd(int fd, short events, int64_t deadline, atomic_int *stop)
{
    for (;;) {
        int64_t left = deadline - cw_mono_us();
        if (left <= 0 || (stop && atomic_load(stop)))
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int ms = left > 100000 ? 100 : (int)(left / 1000) + 1;
        int rc = poll(&p, 1, ms);
        if (rc > 0)
            return 1;
        if (rc < 0 && errno != EINTR)
            return 0;
    }
}

static int connect_one(const struct addrinfo *ai, int64_t deadline, atomic_int *stop, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        *err = errno;
        close(fd);
        return -1;
    }
    if (!wait_fd(fd, POLLOUT, deadline, stop)) {
        *err = ETIMEDOUT;
        close(fd);
        return -1;
    }
    int so = 0;
    socklen_t sl = sizeof so;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl);
    if (so != 0) {
        *err = so;
        close(fd);
        return -1;
    }
    return fd;
}

int cw_rtsp_probe(const char *url, int64_t deadline_mono_us, atomic_int *stop, char *detail, size_t len)
{
    char proto[16], auth[256], host[256], path[16];
    int port = -1;
    /* FFmpeg's splitter is the one the session uses: the probe knocks on
     * the very host and port the session will. The path is not sent (it
     * may carry secrets, e.g. XMeye's user=...&password=...). */
    av_url_split(proto, sizeof proto, auth, sizeof auth, host, sizeof host, &port, path, sizeof path, url);
    memset(auth, 0, sizeof auth);
    if (!host[0]) {
        snprintf(detail, len, "probe: no host in the URL");
        return 0;
    }
    if (port <= 0)
        port = strcmp(proto, "rtsps") == 0 ? 322 : 554;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC}, *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        snprintf(detail, len, "probe: cannot resolve the host: %s", gai_strerror(gai));
        return 0;
    }
    int fd = -1, err = 0;
    for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
        fd = connect_one(ai, deadline_mono_us, stop, &err);
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(detail, len, "probe: %s", err == ETIMEDOUT ? "no TCP answer" : strerror(err));
        return 0;
    }
    char req[600];
    int n = snprintf(req, sizeof req,
                     "OPTIONS rtsp://%s%s%s:%d/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camwatch-probe\r\n\r\n",
                     strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port);
    int answered = 0;
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        snprintf(detail, len, "probe: connected, but the request could not be sent: %s", strerror(errno));
        goto out;
    }
    char buf[256];
    size_t got = 0;
    while (got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
        if (!wait_fd(fd, POLLIN, deadline_mono_us, stop)) {
            snprintf(detail, len, "probe: connected, no RTSP answer");
            goto out;
        }
        ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0) {
            snprintf(detail, len, "probe: connected, closed without an RTSP answer");
            goto out;
        }
        got += (size_t)r;
    }
    buf[got] = '\0';
    int status = 0;
    if (sscanf(buf, "RTSP/1.%*d %d", &status) != 1 || status < 100) {
        snprintf(detail, len, "probe: connected, but the answer is not RTSP");
        goto out;
    }
    answered = status < 500;
    snprintf(detail, len, "probe: RTSP %d", status);
out:
    close(fd);
    return answered;
}
