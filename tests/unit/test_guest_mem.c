/* The one checked guest-physical translation (vmm/guest_mem.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vmm/guest_mem.h"

#define SIZE (1u << 20)

static int setup(void **state)
{
	static struct guest_mem gm;
	if (guest_mem_alloc(&gm, SIZE))
		return -1;
	*state = &gm;
	return 0;
}

static int teardown(void **state)
{
	guest_mem_free(*state);
	return 0;
}

static void in_range(void **state)
{
	struct guest_mem *gm = *state;
	assert_ptr_equal(GUEST_AT(gm, 0, 1), gm->host);
	assert_ptr_equal(GUEST_AT(gm, 4096, 4096), gm->host + 4096);
	assert_ptr_equal(GUEST_AT(gm, 0, SIZE), gm->host);
	/* The last byte, and an empty range at the very end. */
	assert_ptr_equal(GUEST_AT(gm, SIZE - 1, 1), gm->host + SIZE - 1);
	assert_ptr_equal(GUEST_AT(gm, SIZE, 0), gm->host + SIZE);
	assert_int_equal(gm->refused, 0);
}

static void out_of_range(void **state)
{
	struct guest_mem *gm = *state;
	assert_null(GUEST_AT(gm, SIZE, 1));
	assert_null(GUEST_AT(gm, SIZE - 1, 2));
	assert_null(GUEST_AT(gm, 0, SIZE + 1));
	assert_null(GUEST_AT(gm, SIZE + 1, 0));
	assert_null(GUEST_AT(gm, 0xfffff000u, 16));
	assert_int_equal(gm->refused, 5);
}

static void overflow(void **state)
{
	struct guest_mem *gm = *state;
	/* gpa + len wraps to a small number: must still be refused. */
	assert_null(GUEST_AT(gm, 4096, UINT64_MAX));
	assert_null(GUEST_AT(gm, UINT64_MAX, 2));
	assert_null(GUEST_AT(gm, UINT64_MAX - 4095, 8192));
	assert_null(GUEST_AT(gm, 0xffffffffffff0000ull, 0x20000));
}

static void fresh_memory_is_zero(void **state)
{
	struct guest_mem *gm = *state;
	const uint8_t *p = GUEST_AT(gm, SIZE / 2, 4096);
	assert_non_null(p);
	for (int i = 0; i < 4096; i++)
		assert_int_equal(p[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(in_range, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(fresh_memory_is_zero, setup, teardown),
	};
	return cmocka_run_group_tests_name("guest_mem", tests, NULL, NULL);
}
