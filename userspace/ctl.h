/* SPDX-License-Identifier: GPL-2.0 */
/* nyx ctl (ctl.c) and nyx check (check.c): argv[0] is the command name. */
#ifndef NYX_CTL_H
#define NYX_CTL_H

int cmd_ctl(int argc, char **argv);
int cmd_check(int argc, char **argv);

/*
 * A control-socket client for other commands (nyx stat SOCKET):
 * ctl_query() sends {"execute": cmd} and returns the "return" value (a
 * new reference; events are skipped), or NULL with the error printed.
 */
struct json_object;
struct ctl_conn;
struct ctl_conn *ctl_connect(const char *path);
struct json_object *ctl_query(struct ctl_conn *c, const char *cmd,
			      int timeout_ms);
void ctl_disconnect(struct ctl_conn *c);

#endif
