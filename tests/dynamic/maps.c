/*
 * What a dynamically linked program sees of itself: its mappings in
 * /proc/self/maps (the program and its interpreter and C library, named),
 * one CPU, the /dev files, a file mapped privately and shared, and its
 * descriptor in /proc/self/fd.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int has_line(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int found = 0;
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, what))
			found = 1;
	if (f)
		fclose(f);
	return found;
}

int main(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("maps names the program: %d\n", has_line("/proc/self/maps", exe));
	printf("maps names libc: %d\n", has_line("/proc/self/maps", "libc"));
	printf("maps has the stack: %d\n", has_line("/proc/self/maps", "[stack]"));
	printf("cpuinfo has processor 0: %d, no processor 1: %d\n",
	       has_line("/proc/cpuinfo", "processor\t: 0"),
	       !has_line("/proc/cpuinfo", "processor\t: 1"));
	printf("online cpus: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("status has Pid: %d\n", has_line("/proc/self/status", "Pid:"));

	char buf[16];
	int fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	printf("/dev/zero gives zeros: %d\n", read(fd, buf, sizeof(buf)) == 16 && !buf[0] && !buf[15]);
	close(fd);
	fd = open("/dev/null", O_RDWR);
	printf("/dev/null: write %zd, read %zd\n", write(fd, "x", 1), read(fd, buf, 1));
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	printf("/dev/urandom gives 16 bytes: %d\n", read(fd, buf, sizeof(buf)) == 16);
	close(fd);

	/* A private mapping of a file: reads the file, writes stay private. */
	FILE *f = fopen("mapped.txt", "w");
	for (int i = 0; i < 3000; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
	fd = open("mapped.txt", O_RDWR);
	off_t size = lseek(fd, 0, SEEK_END);
	char *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	printf("private map: %.7s ... %.9s\n", p, p + size - 10);
	p[0] = 'L';
	char first;
	pread(fd, &first, 1, 0);
	printf("private write stays private: %c\n", first);
	/* A shared one: writes reach the file by msync and munmap. */
	char *s = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(s + 5, "ONE", 3);
	msync(s, (size_t)size, MS_SYNC);
	pread(fd, buf, 8, 0);
	printf("shared write after msync: %.8s\n", buf);
	memcpy(s + size - 4, "END", 3);
	munmap(s, (size_t)size);
	pread(fd, buf, 4, size - 4);
	printf("shared write after munmap: %.3s, size still %ld\n", buf,
	       (long)lseek(fd, 0, SEEK_END));
	munmap(p, (size_t)size);

	/* /proc/self/fd lists the open descriptors, its own included, and
	 * each is a link to what it opened.  Only ours are printed: a native
	 * run may inherit more from whoever started it. */
	DIR *d = opendir("/proc/self/fd");
	int dfd = d ? dirfd(d) : -1, std = 0, file = 0, self = 0, dots = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots += e->d_type == DT_DIR;
		else if (atoi(e->d_name) <= 2)
			std++;
		else if (atoi(e->d_name) == fd)
			file = e->d_type == DT_LNK;
		else if (atoi(e->d_name) == dfd)
			self = 1;
	}
	printf("/proc/self/fd: . and .. %d, stdin/out/err %d, the file %d, itself %d\n",
	       dots, std, file, self);
	rewinddir(d);
	int again = 0;
	while (d && (e = readdir(d)))
		again += atoi(e->d_name) == fd;
	if (d)
		closedir(d);
	char link[64], target[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	printf("after rewinddir the file again %d; its link ends in /mapped.txt: %d\n",
	       again, n > 11 && !strcmp(target + n - 11, "/mapped.txt"));
	close(fd);
	return 0;
}
