// SPDX-License-Identifier: GPL-2.0-only
/*
 * vserver module - network sets
 *
 * Reads the network set of a request (VSERVER_A_NET), checks it, and
 * shows a context's set in replies and in /proc.  The set itself is kept
 * by the vserver LSM, which the network stack asks for it.
 */

#include "common.h"

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vserver.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "network.h"

static_assert(VSERVER_NET_ADDRS == VSERVER_NET_ADDRS_MAX);
static_assert(VSERVER_NET_HIDE_NETIF == VSERVER_NF_HIDE_NETIF);
static_assert(VSERVER_NET_SINGLE_IP == VSERVER_NF_SINGLE_IP);
static_assert(VSERVER_NET_RAW_ICMP == VSERVER_NCAP_RAW_ICMP);
static_assert(VSERVER_NET_RAW == VSERVER_NCAP_RAW);

const struct nla_policy vs_net_policy[VSERVER_A_NET_MAX + 1] = {
	[VSERVER_A_NET_FLAGS] = NLA_POLICY_MASK(NLA_U64, VSERVER_NF_ALL),
	[VSERVER_A_NET_CAPS] = NLA_POLICY_MASK(NLA_U64, VSERVER_NCAP_ALL),
	[VSERVER_A_NET_LBACK] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[VSERVER_A_NET_ADDR4] = NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[VSERVER_A_NET_ADDR6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

/* The default loopback address of a context: 127.1.(xid / 256).(xid % 256). */
static __be32 vs_net_default_lback(u32 xid)
{
	return htonl(0x7f010000 | (xid & 0xffff));
}

static bool vs_net_lback_valid(__be32 addr)
{
	return ipv4_is_loopback(addr) && addr != htonl(INADDR_LOOPBACK) &&
	       addr != htonl(0x7f000000) && addr != htonl(0x7fffffff);
}

static bool vs_net_addr4_valid(__be32 addr)
{
	return !ipv4_is_zeronet(addr) && !ipv4_is_loopback(addr) &&
	       !ipv4_is_multicast(addr) && !ipv4_is_lbcast(addr);
}

static bool vs_net_addr6_valid(const struct in6_addr *addr)
{
	return !ipv6_addr_any(addr) && !ipv6_addr_loopback(addr) &&
	       !ipv6_addr_is_multicast(addr) && !ipv6_addr_v4mapped(addr);
}

static int vs_net_add4(struct vserver_net_config *net, const struct nlattr *attr,
		       struct netlink_ext_ack *extack)
{
	const __be32 addr = nla_get_in_addr(attr);
	unsigned int i;

	if (!vs_net_addr4_valid(addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "not a unicast IPv4 address a guest may own");
		return -EINVAL;
	}
	for (i = 0; i < net->n4; i++) {
		if (net->v4[i] == addr) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "address given twice");
			return -EINVAL;
		}
	}
	if (net->n4 == VSERVER_NET_ADDRS) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many IPv4 addresses");
		return -E2BIG;
	}
	net->v4[net->n4++] = addr;
	return 0;
}

static int vs_net_add6(struct vserver_net_config *net, const struct nlattr *attr,
		       struct netlink_ext_ack *extack)
{
	const struct in6_addr addr = nla_get_in6_addr(attr);
	unsigned int i;

	if (!vs_net_addr6_valid(&addr)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "not a unicast IPv6 address a guest may own");
		return -EINVAL;
	}
	for (i = 0; i < net->n6; i++) {
		if (ipv6_addr_equal(&net->v6[i], &addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "address given twice");
			return -EINVAL;
		}
	}
	if (net->n6 == VSERVER_NET_ADDRS) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "too many IPv6 addresses");
		return -E2BIG;
	}
	net->v6[net->n6++] = addr;
	return 0;
}

static int vs_net_read_attr(struct vserver_net_config *net,
			    const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	switch (nla_type(attr)) {
	case VSERVER_A_NET_FLAGS:
		net->flags = nla_get_u64(attr);
		return 0;
	case VSERVER_A_NET_CAPS:
		net->caps = nla_get_u64(attr);
		return 0;
	case VSERVER_A_NET_LBACK:
		net->lback = nla_get_in_addr(attr);
		if (vs_net_lback_valid(net->lback))
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a loopback address is in 127.0.0.0/8, and not 127.0.0.1");
		return -EINVAL;
	case VSERVER_A_NET_ADDR4:
		return vs_net_add4(net, attr, extack);
	case VSERVER_A_NET_ADDR6:
		return vs_net_add6(net, attr, extack);
	default:
		return 0;
	}
}

/**
 * vs_net_get - read the network set of a request
 * @info: the request, its attributes validated by the policy
 * @xid: the context the set is for
 * @net: set to a new set, if the request has one; the caller frees it
 *
 * Return: 0, or -EINVAL, -E2BIG or -ENOMEM with an extended ack.
 */
int vs_net_get(struct genl_info *info, u32 xid, struct vserver_net_config **net)
{
	const struct nlattr *nest = info->attrs[VSERVER_A_NET];
	struct vserver_net_config *new;
	const struct nlattr *attr;
	int rem, err;

	if (!nest)
		return 0;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->lback = vs_net_default_lback(xid);
	nla_for_each_nested(attr, nest, rem) {
		err = vs_net_read_attr(new, attr, info->extack);
		if (err) {
			kfree(new);
			return err;
		}
	}
	*net = new;
	return 0;
}

/**
 * vs_net_put - add a context's network set to a reply, if it has one
 * @skb: the reply
 * @xid: the context
 *
 * Return: 0 or -EMSGSIZE.
 */
int vs_net_put(struct sk_buff *skb, u32 xid)
{
	struct vserver_net_config *net;
	struct nlattr *nest;
	unsigned int i;
	int err = -EMSGSIZE;

	net = kmalloc(sizeof(*net), GFP_ATOMIC);
	if (!net)
		return -EMSGSIZE;
	if (!vserver_net_read(xid, net)) {
		err = 0;
		goto out;
	}
	nest = nla_nest_start(skb, VSERVER_A_NET);
	if (!nest ||
	    nla_put_u64_64bit(skb, VSERVER_A_NET_FLAGS, net->flags,
			      VSERVER_A_NET_PAD) ||
	    nla_put_u64_64bit(skb, VSERVER_A_NET_CAPS, net->caps,
			      VSERVER_A_NET_PAD) ||
	    nla_put_in_addr(skb, VSERVER_A_NET_LBACK, net->lback))
		goto out;
	for (i = 0; i < net->n4; i++)
		if (nla_put_in_addr(skb, VSERVER_A_NET_ADDR4, net->v4[i]))
			goto out;
	for (i = 0; i < net->n6; i++)
		if (nla_put_in6_addr(skb, VSERVER_A_NET_ADDR6, &net->v6[i]))
			goto out;
	nla_nest_end(skb, nest);
	err = 0;
out:
	kfree(net);
	return err;
}

/* util-vserver's names of the bits, in bit order. */
static const char *const vs_net_flag_names[] = { "hide_netif", "single_ip", NULL };
static const char *const vs_net_cap_names[] = { "raw_icmp", "raw", NULL };

static void vs_net_show_names(struct seq_file *m, const char *field, u32 bits,
			      const char *const *names)
{
	const char *sep = "";
	unsigned int i;

	seq_printf(m, "%s:\t", field);
	for (i = 0; names[i]; i++) {
		if (bits & BIT(i)) {
			seq_printf(m, "%s%s", sep, names[i]);
			sep = " ";
		}
	}
	seq_putc(m, '\n');
}

/**
 * vs_net_show - the network set's lines of /proc/virtual/<xid>/status
 * @m: the file
 * @xid: the context
 *
 * "Network:\tshared" for a context on the host's network, else its flags,
 * loopback address and addresses, one per line.
 */
void vs_net_show(struct seq_file *m, u32 xid)
{
	struct vserver_net_config *net;
	unsigned int i;

	net = kmalloc(sizeof(*net), GFP_KERNEL);
	if (!net)
		return;
	if (!vserver_net_read(xid, net)) {
		seq_puts(m, "Network:\thost\n");
		goto out;
	}
	seq_puts(m, "Network:\tconfined\n");
	vs_net_show_names(m, "NetFlags", net->flags, vs_net_flag_names);
	vs_net_show_names(m, "NetCaps", net->caps, vs_net_cap_names);
	seq_printf(m, "Loopback:\t%pI4\n", &net->lback);
	for (i = 0; i < net->n4; i++)
		seq_printf(m, "Address:\t%pI4\n", &net->v4[i]);
	for (i = 0; i < net->n6; i++)
		seq_printf(m, "Address:\t%pI6c\n", &net->v6[i]);
out:
	kfree(net);
}
