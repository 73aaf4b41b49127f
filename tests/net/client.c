/* A small HTTP/1.0 client: GET PATH from 127.0.0.1:PORT, prints the
 * response (status line, headers, body) with \r removed.  A Date or
 * Server header varies between runs natively, but a replay must give
 * back exactly what the recording printed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 8765;
	const char *path = argc > 2 ? argv[2] : "/";
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("client: connect");
		return 1;
	}
	char req[512];
	int len = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (write(s, req, (size_t)len) != len) {
		perror("client: write");
		return 1;
	}
	char buf[8192];
	ssize_t n;
	size_t total = 0;
	while ((n = read(s, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != '\r')
				putchar(buf[i]);
		total += (size_t)n;
	}
	if (n < 0)
		perror("client: read");
	printf("\n[%zu bytes]\n", total);
	close(s);
	return n < 0;
}
