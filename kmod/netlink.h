/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - generic netlink family
 */

#ifndef _VSERVER_NETLINK_H
#define _VSERVER_NETLINK_H

struct vs_context;

int vs_netlink_init(void);
void vs_netlink_exit(void);
void vs_netlink_notify_exit(const struct vs_context *ctx);

#endif /* _VSERVER_NETLINK_H */
