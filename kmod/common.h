/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vserver module - common definitions
 *
 * Include first in every file so that pr_*() carry the module's prefix.
 */

#ifndef _VSERVER_COMMON_H
#define _VSERVER_COMMON_H

#ifdef pr_fmt
#undef pr_fmt
#endif
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#endif /* _VSERVER_COMMON_H */
