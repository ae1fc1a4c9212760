# nyx top-level Makefile. See README for the two commands that matter:
#   make run    build, then boot the default guest (nested VM here)
#   make check  every suite: unit tests on the host + nested-VM suites
KVER ?= $(shell scripts/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build
TOP := $(CURDIR)
export TOP KDIR KVER

.PHONY: all deps module userspace guests vmtests unit vm check-vmx check run bench clean fuzz

all: module userspace guests vmtests

deps:
	@scripts/install-deps

module:
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

userspace:
	$(MAKE) -C userspace

guests:
	$(MAKE) -C tests/guests

vmtests:
	$(MAKE) -C tests/abi
	$(MAKE) -C tests/bench
	$(MAKE) -C tests/vm-tools

unit:
	$(MAKE) -C tests/unit check

fuzz:
	$(MAKE) -C tests/unit fuzz

vm: all
	scripts/nested-run --suite tests/vm/suite.sh

# The same suite on Intel VMX: Bochs' emulated Haswell (not yet in check).
check-vmx: all
	scripts/bochs-run --suite tests/vm/suite.sh

check: deps
	$(MAKE) all
	scripts/check-all

run: deps
	$(MAKE) all
	scripts/run-default

bench: deps
	$(MAKE) all
	scripts/bench

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/guests clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/abi clean
	$(MAKE) -C tests/bench clean
	$(MAKE) -C tests/vm-tools clean
	rm -rf build
