/* A small TCP server: binds 127.0.0.1:PORT, accepts COUNT connections
 * one after another (poll before accept, to exercise the host POLL
 * path), reads each request up to a blank line and answers a tiny page.
 * Prints what it saw, so a replay can be compared with the recording. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8765;
	int count = argc > 2 ? atoi(argv[2]) : 1;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0) {
		perror("server: bind/listen");
		return 1;
	}
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	printf("listening on %s:%d\n", inet_ntoa(a.sin_addr), ntohs(a.sin_port));
	fflush(stdout);
	for (int i = 0; i < count; i++) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		if (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN)) {
			printf("poll: %d\n", p.revents);
			return 1;
		}
		struct sockaddr_in peer;
		socklen_t pl = sizeof(peer);
		int c = accept4(s, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
		if (c < 0) {
			perror("server: accept");
			return 1;
		}
		printf("connection %d from %s\n", i, inet_ntoa(peer.sin_addr));
		char buf[4096];
		size_t got = 0;
		while (got < sizeof(buf) - 1) {
			ssize_t n = recv(c, buf + got, sizeof(buf) - 1 - got, 0);
			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = 0;
			if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
				break;
		}
		buf[got] = 0;
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = 0;
		printf("request: %s (%zu bytes)\n", buf, got);
		const char *body = "<html>hello from rrv</html>\n";
		char resp[256];
		int len = snprintf(resp, sizeof(resp),
				   "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
				   strlen(body), body);
		if (send(c, resp, (size_t)len, MSG_NOSIGNAL) != len)
			perror("server: send");
		shutdown(c, SHUT_WR);
		close(c);
	}
	close(s);
	printf("done\n");
	return 0;
}
