// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/acpi.h"
#include "arch/x86/fw.h"
#include "arch/x86/kernel.h"
#include "arch/x86/layout.h"
#include "arch/x86/mptable.h"
#include "arch/x86/pc.h"
#include "core/vm.h"

static int setup_firmware(struct vm *vm, const struct pc_boot_config *cfg,
			  u64 *rsdp)
{
	const struct mptable_config mp = {
		.nr_cpus = cfg->nr_cpus,
		.cpu_signature = cfg->cpu_signature,
		.cpu_features = cfg->cpu_features,
	};
	const struct acpi_config acpi = {
		.nr_cpus = cfg->nr_cpus,
		.pm_timer = cfg->pm_timer,
	};
	struct fw_area area;

	fw_area_init(&area, vm, FW_AREA_ADDR, FW_AREA_END);
	if (fw_write_bda(vm) || acpi_build(&area, &acpi, rsdp) ||
	    mptable_build(&area, &mp)) {
		pr_err("cannot build the firmware tables for %u vCPUs",
		       cfg->nr_cpus);
		return NYX_EXIT_SETUP;
	}
	pr_debug("firmware: ACPI RSDP at 0x%llx, MP floating pointer at 0x%x, %llu bytes of tables",
		 (unsigned long long)*rsdp, MPF_ADDR,
		 (unsigned long long)(area.next - area.base));
	return 0;
}

int pc_setup_kernel_boot(struct vm *vm, const struct pc_boot_config *cfg,
			 struct x86_boot_entry *entry)
{
	struct image kernel, initrd;
	struct x86_layout layout;
	struct kernel_boot kb = {
		.vm = vm,
		.layout = &layout,
		.cmdline = cfg->cmdline ? cfg->cmdline : "",
		.tsc_khz = cfg->tsc_khz,
	};
	int ret;

	layout_init(&layout, vm);
	ret = setup_firmware(vm, cfg, &kb.rsdp_addr);
	if (ret)
		return ret;
	ret = image_open(&kernel, cfg->kernel, "--kernel");
	if (ret)
		return ret;
	if (cfg->initrd) {
		ret = image_open(&initrd, cfg->initrd, "--initrd");
		if (ret)
			goto out;
		kb.initrd = &initrd;
	}
	ret = kernel_load(&kb, &kernel, entry);
	if (cfg->initrd)
		image_close(&initrd);
out:
	image_close(&kernel);
	return ret;
}
