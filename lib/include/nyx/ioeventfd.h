/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which NYX_IOEVENTFD registrations make sense, shared by nyx.ko (which
 * refuses the others with -EINVAL) and the launcher (which says why before
 * it asks).
 */
#ifndef NYX_LIB_IOEVENTFD_H
#define NYX_LIB_IOEVENTFD_H

#include <nyx/types.h>

static inline bool nyx_ioeventfd_valid(bool pio, u64 addr, u32 len,
				       bool datamatch, u64 value)
{
	switch (len) {
	case 0:
		/* any width: MMIO only, and no value to compare with */
		if (pio || datamatch)
			return false;
		break;
	case 1: case 2: case 4:
		break;
	case 8:
		if (pio)
			return false;
		break;
	default:
		return false;
	}
	if (pio ? addr > 0xffff || addr + len > 0x10000 : addr + len < addr)
		return false;
	/* a value wider than the access could never match */
	return !(datamatch && len < 8 && value >> (8 * len));
}

#endif
