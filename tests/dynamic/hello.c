/* A dynamically linked hello, with a look at what the loader set up. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("hello from a dynamically linked program, argc %d, exe ends %s\n", argc,
	       strrchr(exe, '/') ? strrchr(exe, '/') : "?");
	(void)argv;
	return 0;
}
