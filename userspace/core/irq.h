/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt lines from devices to the (future) in-kernel interrupt
 * controller. There is no irqchip yet, so these do nothing; devices still
 * call them on every level change so that wiring them up later is a
 * one-place change.
 */
#ifndef NYX_IRQ_H
#define NYX_IRQ_H

void irq_raise(unsigned int gsi);
void irq_lower(unsigned int gsi);

#endif
