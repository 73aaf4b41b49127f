/*
 * readlink: symbolic links that the runner makes in the program's
 * directory before it starts (the program creates none):
 *   target     a file holding "target-content\n"
 *   link    -> target
 *   dangling-> missing-file
 * Checks readlink/readlinkat (also truncating), lstat/stat/fstatat with
 * and without AT_SYMLINK_NOFOLLOW, opening through a link, O_NOFOLLOW,
 * and the errors for non-links and dangling links.
 */
#include "conf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int main(void)
{
	char buf[256];
	ssize_t n;
	struct stat st, tst;

	printf("readlink conformance\n");
	n = readlink("link", buf, sizeof buf);
	CHECK(n == 6, "readlink link returns 6", "got %zd %s", n,
	      conf_errname(errno));
	if (n >= 0) {
		printf("link -> [%.*s]\n", (int)n, buf);
		CHECK(memcmp(buf, "target", 6) == 0, "link points at target",
		      "got %.*s", (int)n, buf);
	}
	memset(buf, '#', sizeof buf);
	n = readlink("link", buf, 3);
	CHECK(n == 3 && memcmp(buf, "tar#", 4) == 0,
	      "readlink into a 3-byte buffer truncates, no NUL", "got %zd", n);
	n = readlinkat(AT_FDCWD, "dangling", buf, sizeof buf);
	CHECK(n == 12 && memcmp(buf, "missing-file", 12) == 0,
	      "readlinkat of a dangling link", "got %zd", n);
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	n = readlinkat(dfd, "link", buf, sizeof buf);
	CHECK(n == 6 && memcmp(buf, "target", 6) == 0,
	      "readlinkat relative to a directory fd", "got %zd", n);
	n = syscall(SYS_readlink, "link", buf, sizeof buf);
	CHECK(n == 6, "raw readlink system call", "got %zd", n);
	CHECK_ERR(readlink("target", buf, sizeof buf), EINVAL,
		  "readlink of a regular file: EINVAL");
	CHECK_ERR(readlink("nothing", buf, sizeof buf), ENOENT,
		  "readlink of a missing name: ENOENT");

	CHECK_SYS(lstat("link", &st), "lstat link");
	printf("lstat link: symlink %s, size %lld\n",
	       S_ISLNK(st.st_mode) ? "yes" : "no", (long long)st.st_size);
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 6,
	      "lstat: a symlink whose size is the target's length", "mode %o",
	      (unsigned)st.st_mode);
	CHECK_SYS(stat("link", &st), "stat link");
	CHECK_SYS(stat("target", &tst), "stat target");
	printf("stat link: regular %s, size %lld\n",
	       S_ISREG(st.st_mode) ? "yes" : "no", (long long)st.st_size);
	CHECK(S_ISREG(st.st_mode) && st.st_ino == tst.st_ino &&
		      st.st_size == 15,
	      "stat follows the link to target", "differs");
	CHECK(fstatat(dfd, "link", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISLNK(st.st_mode),
	      "fstatat AT_SYMLINK_NOFOLLOW sees the link", "did not");
	CHECK(fstatat(dfd, "link", &st, 0) == 0 && S_ISREG(st.st_mode),
	      "fstatat without the flag follows it", "did not");

	int fd = open("link", O_RDONLY);
	CHECK(fd >= 0, "open through the link", "failed: %s",
	      conf_errname(errno));
	n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	CHECK(n == 15 && memcmp(buf, "target-content\n", 15) == 0,
	      "reading through the link gives target's content", "got %zd", n);
	close(fd);
	CHECK_ERR(open("link", O_RDONLY | O_NOFOLLOW), ELOOP,
		  "open O_NOFOLLOW of a link: ELOOP");
	CHECK_ERR(open("dangling", O_RDONLY), ENOENT,
		  "open a dangling link: ENOENT");
	CHECK_ERR(stat("dangling", &st), ENOENT, "stat a dangling link: ENOENT");
	CHECK(lstat("dangling", &st) == 0 && S_ISLNK(st.st_mode),
	      "lstat a dangling link works", "failed");
	CHECK_SYS(access("link", R_OK), "access through the link");
	CHECK_ERR(access("dangling", F_OK), ENOENT,
		  "access through a dangling link: ENOENT");
	close(dfd);
	return conf_done();
}
