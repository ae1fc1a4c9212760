// SPDX-License-Identifier: GPL-2.0
#include "core/irq.h"
#include "core/util.h"

/* TODO(irqchip): forward to the in-kernel interrupt controller. */
void irq_raise(unsigned int gsi)
{
	(void)gsi;
}

void irq_lower(unsigned int gsi)
{
	(void)gsi;
}
