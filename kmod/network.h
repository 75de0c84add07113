/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - network sets
 */

#ifndef _VSERVER_NETWORK_H
#define _VSERVER_NETWORK_H

#include <linux/types.h>
#include <net/netlink.h>
#include <uapi/linux/vserver.h>

struct genl_info;
struct seq_file;
struct sk_buff;
struct vserver_net_config;

extern const struct nla_policy vs_net_policy[VSERVER_A_NET_MAX + 1];

int vs_net_get(struct genl_info *info, u32 xid,
	       struct vserver_net_config **net);
int vs_net_put(struct sk_buff *skb, u32 xid);
void vs_net_show(struct seq_file *m, u32 xid);

#endif /* _VSERVER_NETWORK_H */
