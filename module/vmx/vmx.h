/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NYX_VMX_H
#define NYX_VMX_H

#include "core/core.h"

/* Not const: hardware setup leaves out the irqchip hooks where the CPU
 * lacks what they need. Read-only once the module is initialised. */
extern struct nyx_vendor_ops nyx_vmx_ops;
bool nyx_vmx_supported(void);

#endif
