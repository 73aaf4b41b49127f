/* Kernel ELF loading and its errors (vmm/loader.c), with crafted images. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <elf.h>
#include <rrv/boot.h>

#include "vmm/guest_mem.h"
#include "vmm/loader.h"

#define MEM (8u << 20)
#define PADDR 0x200000ull
#define CODE_OFF 0x200
#define CODE_LEN 16
#define BSS_LEN 4096

/* An image: one header, one program header, 16 bytes of "code". */
struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t pad[CODE_OFF - sizeof(Elf64_Ehdr) - sizeof(Elf64_Phdr)];
	uint8_t code[CODE_LEN];
};

static void good_image(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = RRV_KERNEL_VBASE + PADDR + 4;
	im->eh.e_phoff = sizeof(Elf64_Ehdr);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 1;
	im->ph.p_type = PT_LOAD;
	im->ph.p_flags = PF_R | PF_X;
	im->ph.p_offset = CODE_OFF;
	im->ph.p_paddr = PADDR;
	im->ph.p_vaddr = RRV_KERNEL_VBASE + PADDR;
	im->ph.p_filesz = CODE_LEN;
	im->ph.p_memsz = CODE_LEN + BSS_LEN;
	im->ph.p_align = 4096;
	for (int i = 0; i < CODE_LEN; i++)
		im->code[i] = (uint8_t)(0xa0 + i);
}

static struct guest_mem gm;

static int setup(void **state)
{
	(void)state;
	return guest_mem_alloc(&gm, MEM);
}

static int teardown(void **state)
{
	(void)state;
	guest_mem_free(&gm);
	return 0;
}

static int load(const void *image, size_t size)
{
	uint64_t entry = 0;
	return loader_load_kernel(&gm, image, size, &entry);
}

static void loads_a_good_image(void **state)
{
	(void)state;
	struct image im;
	good_image(&im);
	/* Dirty the bss area: the loader must zero it. */
	memset(GUEST_AT(&gm, PADDR, CODE_LEN + BSS_LEN), 0x5a, CODE_LEN + BSS_LEN);
	uint64_t entry = 0;
	assert_int_equal(loader_load_kernel(&gm, &im, sizeof(im), &entry), LOADER_OK);
	assert_int_equal(entry, RRV_KERNEL_VBASE + PADDR + 4);
	const uint8_t *p = GUEST_AT(&gm, PADDR, CODE_LEN + BSS_LEN);
	assert_memory_equal(p, im.code, CODE_LEN);
	for (int i = 0; i < BSS_LEN; i++)
		assert_int_equal(p[CODE_LEN + i], 0);
}

static void refuses_non_elf(void **state)
{
	(void)state;
	static const char text[] = "#!/bin/sh\necho not an ELF\n";
	assert_int_equal(load(text, sizeof(text)), LOADER_E_NOT_ELF);
	assert_int_equal(load(text, 0), LOADER_E_NOT_ELF);
	struct image im;
	good_image(&im);
	/* Cut inside the ELF header. */
	assert_int_equal(load(&im, 20), LOADER_E_NOT_ELF);
}

static void refuses_wrong_class_machine_type(void **state)
{
	(void)state;
	struct image im;
	good_image(&im);
	im.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_CLASS);

	good_image(&im);
	im.eh.e_machine = EM_AARCH64;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_MACHINE);

	good_image(&im);
	im.eh.e_type = ET_DYN;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_TYPE);
}

static void refuses_missing_segments(void **state)
{
	(void)state;
	struct image im;
	good_image(&im);
	im.ph.p_type = PT_NOTE;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_NO_SEGMENTS);

	/* Program headers said to lie beyond the end of the file. */
	good_image(&im);
	im.eh.e_phoff = 1u << 20;
	assert_int_not_equal(load(&im, sizeof(im)), LOADER_OK);
}

static void refuses_bad_segments(void **state)
{
	(void)state;
	struct image im;

	good_image(&im); /* file bytes beyond the image */
	im.ph.p_offset = sizeof(im) - 4;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);

	good_image(&im); /* offset + size wraps around */
	im.ph.p_offset = UINT64_MAX - 8;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);

	good_image(&im); /* more file bytes than memory bytes */
	im.ph.p_memsz = CODE_LEN - 1;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);

	good_image(&im); /* beyond guest memory */
	im.ph.p_paddr = MEM - 8;
	im.ph.p_vaddr = RRV_KERNEL_VBASE + im.ph.p_paddr;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);

	good_image(&im); /* over the boot tables and the zero page */
	im.ph.p_paddr = 0x1000;
	im.ph.p_vaddr = RRV_KERNEL_VBASE + im.ph.p_paddr;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);

	good_image(&im); /* linked somewhere the boot map does not cover */
	im.ph.p_vaddr = 0x400000;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);

	good_image(&im); /* a huge memsz that wraps the physical address */
	im.ph.p_memsz = UINT64_MAX - PADDR + 2;
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_SEGMENT);
}

static void refuses_bad_entry(void **state)
{
	(void)state;
	struct image im;
	good_image(&im);
	im.eh.e_entry = RRV_KERNEL_VBASE + PADDR + CODE_LEN + 8; /* in bss */
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_ENTRY);

	good_image(&im);
	im.ph.p_flags = PF_R | PF_W; /* not executable */
	assert_int_equal(load(&im, sizeof(im)), LOADER_E_ENTRY);
}

static void errors_have_messages(void **state)
{
	(void)state;
	for (int e = LOADER_E_NOMEM; e < 0; e++)
		assert_string_not_equal(loader_strerror(e), "unknown loader error");
	assert_string_equal(loader_strerror(-100), "unknown loader error");
	assert_string_equal(loader_strerror(5), "unknown loader error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_a_good_image),
		cmocka_unit_test(refuses_non_elf),
		cmocka_unit_test(refuses_wrong_class_machine_type),
		cmocka_unit_test(refuses_missing_segments),
		cmocka_unit_test(refuses_bad_segments),
		cmocka_unit_test(refuses_bad_entry),
		cmocka_unit_test(errors_have_messages),
	};
	return cmocka_run_group_tests_name("loader", tests, setup, teardown);
}
