# Unit tests of the launcher's PCI bus (userspace/pci/) and the PCI test
# device: configuration space semantics, BAR sizing/placement/mapping,
# CF8/CFC and ECAM, INTx, MSI, MSI-X masking and pending bits.
PCI_TESTS := launcher_pci
TESTS += $(PCI_TESTS)

launcher_pci_SRCS := tests/unit/test_launcher_pci.c \
	userspace/pci/config.c userspace/pci/msi.c userspace/pci/msix.c \
	userspace/pci/pci.c userspace/pci/pci_host.c \
	userspace/hw/pci_testdev.c userspace/core/bus.c userspace/core/irq.c \
	userspace/core/util.c

$(addprefix $(OUT)/,$(PCI_TESTS)): \
	$(wildcard $(TOP)/userspace/*/*.h $(TOP)/userspace/*/*/*.h)
