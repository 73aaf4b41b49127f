/* The smallest program: startup cost is all there is. */
int main(void)
{
	return 0;
}
