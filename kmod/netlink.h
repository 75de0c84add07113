/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - generic netlink family
 */

#ifndef _VSERVER_NETLINK_H
#define _VSERVER_NETLINK_H

int vs_netlink_init(void);
void vs_netlink_exit(void);

#endif /* _VSERVER_NETLINK_H */
