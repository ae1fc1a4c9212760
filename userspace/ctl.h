/* SPDX-License-Identifier: GPL-2.0 */
/* nyx ctl (ctl.c) and nyx check (check.c): argv[0] is the command name. */
#ifndef NYX_CTL_H
#define NYX_CTL_H

int cmd_ctl(int argc, char **argv);
int cmd_check(int argc, char **argv);

#endif
