/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - /proc/virtual
 */

#ifndef _VSERVER_PROC_H
#define _VSERVER_PROC_H

struct vs_context;

int vs_proc_init(void);
void vs_proc_exit(void);
int vs_proc_add_context(struct vs_context *ctx);
void vs_proc_remove_context(struct vs_context *ctx);

#endif /* _VSERVER_PROC_H */
