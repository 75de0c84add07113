/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - /proc/virtual
 */

#ifndef _VSERVER_PROC_H
#define _VSERVER_PROC_H

#include <linux/types.h>

struct path;
struct vs_context;

int vs_proc_init(void);
void vs_proc_exit(void);
int vs_proc_add_context(struct vs_context *ctx);
void vs_proc_remove_context(struct vs_context *ctx);
int vs_proc_path_allowed(u32 xid, const struct path *path);

#endif /* _VSERVER_PROC_H */
