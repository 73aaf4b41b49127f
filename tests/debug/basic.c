/* rrv debug's basic test: a function with locals and a global, another
 * function that overwrites the global (the watchpoint's writer), and a
 * recorded output and exit status to check after continuing. */
#include <stdio.h>

int counter = 7;
static const char *label = "basic";

static int square_plus(int x)
{
	int sq = x * x;
	int result = sq + counter;
	return result;
}

static void overwrite(int v)
{
	counter = v * 3; /* the write the watchpoint stops after */
}

int main(void)
{
	int total = square_plus(5);
	printf("%s: %d\n", label, total);
	overwrite(11);
	printf("counter now %d\n", counter);
	return 3;
}
