# Unit tests of the pure-C x86 library (lib/x86).
TESTS += test_paging test_emulate
test_paging_SRCS := tests/unit/test_paging.c lib/x86/paging.c
test_emulate_SRCS := tests/unit/test_emulate.c lib/x86/emulate.c \
	lib/x86/paging.c
