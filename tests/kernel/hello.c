/* hello: the smallest program that needs the whole start-up path. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s (%d argument%s)\n", argc > 0 ? "a program" : "?",
	       argc - 1, argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	return 0;
}
