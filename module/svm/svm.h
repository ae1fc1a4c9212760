/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NYX_SVM_H
#define NYX_SVM_H

#include "core/core.h"

extern const struct nyx_vendor_ops nyx_svm_ops;
bool nyx_svm_supported(void);

#endif
