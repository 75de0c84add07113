# vserver toolkit: Linux-VServer style contexts for Linux 6.1.
#
#   make deps      install the Debian packages everything needs
#   make           build the userland tools (build/userland/bin)
#   make kernel    build the patched test kernel (build/kernel/bzImage)
#   make kmod      build vserver.ko against it (build/kmod/vserver.ko)
#   make check     unit tests, checkpatch, then the VM suites
#   make check-debootstrap  build a Debian guest here (needs the Debian
#                  archive, so not part of make check) and run it in the VM
#   make demo      boot the VM: two guests built, started as at boot with
#                  their addresses and limits, looked into, stopped
#   make bench     what the patches cost: open, stat, fork, exec, reading
#                  /proc, socket, UDP, TCP connect and stream, and the tools'
#                  start-up, in a guest and on the host, patched and
#                  unpatched kernels without the debug options, in QEMU
#                  (not part of make check)
#   make man       docs/config-reference.md as vserver-config(5) (build/man)
#   make install   tools, man pages, init script, systemd units, completion
#                  and the /etc/vservers skeleton (DESTDIR, PREFIX=/usr/local,
#                  sysconfdir=/etc); make uninstall removes them again
#   make deb       Debian packages util-vserver and vserver-dkms (build/deb)
#   make check-deb make deb, then lintian on the packages (not part of
#                  make check)
#   make kernel-deb  Debian's kernel configuration with the series, as
#                  linux-image and linux-headers packages (build/kernel-deb);
#                  make check-kernel-deb runs lintian on them
#   make check-host  a Debian 12 host with systemd, the kernel, util-vserver
#                  and vserver-dkms installed, booted twice in QEMU: guests
#                  marked default start at boot in dependency order and stop
#                  in reverse at the reboot (needs the Debian archive; not
#                  part of make check); make check-host-sysv: the same with
#                  sysvinit and /etc/init.d/vservers-default
#   KERNEL=distro  make kmod, initramfs, check or demo on that kernel
#   make clean     remove build/ except the kernel tree (make distclean: all)

BUILD := $(CURDIR)/build
USERLAND := $(BUILD)/userland
# The kernel make kmod, initramfs, check and demo build on: the test kernel,
# or with KERNEL=distro the distribution kernel (make kernel-deb), each with
# its own module and VM image.
KERNEL ?= test
ifeq ($(KERNEL),test)
KERNEL_DIR := $(BUILD)/kernel
KERNEL_FLAVOUR :=
KMOD := $(BUILD)/kmod
TESTVM := $(BUILD)/testvm
else ifeq ($(KERNEL),distro)
KERNEL_DIR := $(BUILD)/kernel-distro
KERNEL_FLAVOUR := --distro
KMOD := $(BUILD)/kmod-distro
TESTVM := $(BUILD)/testvm-distro
else
$(error KERNEL=$(KERNEL): the kernels are "test" (the default) and "distro")
endif
KERNEL_DISTRO := $(BUILD)/kernel-distro
KERNEL_DEB := $(BUILD)/kernel-deb
KERNEL_BENCH := $(BUILD)/kernel-bench
KERNEL_BENCH_UNPATCHED := $(BUILD)/kernel-bench-unpatched
KMOD_BENCH := $(BUILD)/kmod-bench
BENCH := $(BUILD)/bench
DEB := $(BUILD)/deb

# Parallel jobs for the userland and the kernel (scripts/build-kernel reads
# the same variable): the userland is many small C++ files.
export JOBS ?= $(shell nproc)

# make install: /usr/local, as for any software not from the distribution
# (a package would set PREFIX=/usr); the configuration stays in /etc.
PREFIX ?= /usr/local
sysconfdir ?= /etc
sbindir := $(PREFIX)/sbin
mandir := $(PREFIX)/share/man
unitdir := $(PREFIX)/lib/systemd/system
completiondir := $(PREFIX)/share/bash-completion/completions
modulesloaddir := $(PREFIX)/lib/modules-load.d
initdir := $(sysconfdir)/init.d
TOOLS = $(shell $(MAKE) -s --no-print-directory -C util-vserver print-tools)
UNITS := vservers.service vserver@.service vservers.slice
MAN8 := $(wildcard docs/man/*.8)
# The configuration reference, offline: docs/config-reference.md as a man page.
MAN5 := $(BUILD)/man/vserver-config.5
# The programs' path in the init script and the units.
SUBST := sed -e 's|@SBINDIR@|$(sbindir)|g'

all: userland man

deps:
	scripts/deps

userland:
	$(MAKE) -j$(JOBS) -C util-vserver O=$(USERLAND)

man: $(MAN5)

$(MAN5): docs/config-reference.md scripts/md2man
	mkdir -p $(@D)
	scripts/md2man --name vserver-config --section 5 \
		--summary "guest configuration reference (/etc/vservers/NAME)" $< >$@.tmp
	mv $@.tmp $@

kernel:
	scripts/build-kernel $(KERNEL_FLAVOUR) $(KERNEL_DIR)

# The module is built in a copy of kmod/ so the source tree stays clean.
KMOD_COPY = rsync -a --delete $(foreach p,*.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order,--filter='P $(p)') kmod/
kmod: kernel
	@mkdir -p $(KMOD)
	$(KMOD_COPY) $(KMOD)/
	$(MAKE) -s -j$(JOBS) -C $(KERNEL_DIR)/linux M=$(KMOD) modules

vstest: userland
	$(MAKE) -j$(JOBS) -C testvm/probe O=$(TESTVM) USERLAND=$(USERLAND)

initramfs: userland kmod vstest
	testvm/build-initramfs $(TESTVM)/initramfs.cpio.gz $(KERNEL_DIR)/linux \
		$(KMOD)/vserver.ko $(USERLAND)/bin $(TESTVM)/vstest

# The unit tests' sanitizer build, which make check runs.  A failed build
# is left to scripts/check, which builds again and counts it as a failure.
unit-tests:
	-$(MAKE) -j$(JOBS) -C util-vserver O=$(USERLAND) unit-tests

# What make check runs is built two targets at a time: the userland, the
# probe and the unit tests keep a core busy while the kernel's build leaves
# it idle (unpacking the source, linking vmlinux).
check:
	$(MAKE) --no-print-directory -j2 initramfs unit-tests
	scripts/check $(KERNEL_DIR) $(TESTVM)

check-debootstrap: initramfs
	testvm/check-debootstrap $(KERNEL_DIR)/bzImage $(TESTVM)/initramfs.cpio.gz $(USERLAND)/bin \
		$(BUILD)/debootstrap

demo: initramfs
	testvm/run --demo $(KERNEL_DIR)/bzImage $(TESTVM)/initramfs.cpio.gz $(TESTVM)

# The benchmark's kernels: the test kernel's configuration without
# configs/kernel/debug.config, patched and unpatched (docs/testing.md).
kernel-bench:
	scripts/build-kernel --no-debug $(KERNEL_BENCH)
	scripts/build-kernel --no-debug --unpatched $(KERNEL_BENCH_UNPATCHED)

kmod-bench: kernel-bench
	@mkdir -p $(KMOD_BENCH)
	$(KMOD_COPY) $(KMOD_BENCH)/
	$(MAKE) -s -j$(JOBS) -C $(KERNEL_BENCH)/linux M=$(KMOD_BENCH) modules

# One initramfs per VM; the unpatched one has no module.
initramfs-bench: userland kmod-bench vstest
	testvm/build-initramfs $(BENCH)/patched/initramfs.cpio.gz $(KERNEL_BENCH)/linux \
		$(KMOD_BENCH)/vserver.ko $(USERLAND)/bin $(TESTVM)/vstest
	testvm/build-initramfs $(BENCH)/unpatched/initramfs.cpio.gz $(KERNEL_BENCH_UNPATCHED)/linux \
		- $(USERLAND)/bin $(TESTVM)/vstest

bench: initramfs-bench
	testvm/bench $(KERNEL_BENCH)/bzImage $(BENCH)/patched/initramfs.cpio.gz \
		$(KERNEL_BENCH_UNPATCHED)/bzImage $(BENCH)/unpatched/initramfs.cpio.gz $(BENCH)

checkpatch: kernel
	scripts/checkpatch $(KERNEL_DIR)/linux

install: userland man
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(mandir)/man5 \
		$(DESTDIR)$(initdir) \
		$(DESTDIR)$(unitdir) $(DESTDIR)$(completiondir) $(DESTDIR)$(modulesloaddir) \
		$(DESTDIR)$(sysconfdir)/default \
		$(DESTDIR)$(sysconfdir)/vservers/.defaults
	install -m 755 $(addprefix $(USERLAND)/bin/,$(TOOLS)) $(DESTDIR)$(sbindir)/
	install -m 644 $(MAN8) $(DESTDIR)$(mandir)/man8/
	install -m 644 $(MAN5) $(DESTDIR)$(mandir)/man5/
	$(SUBST) initscripts/vservers-default >$(DESTDIR)$(initdir)/vservers-default
	chmod 755 $(DESTDIR)$(initdir)/vservers-default
	for unit in $(UNITS); do \
		$(SUBST) initscripts/systemd/$$unit >$(DESTDIR)$(unitdir)/$$unit || exit; \
		chmod 644 $(DESTDIR)$(unitdir)/$$unit; \
	done
	install -m 644 initscripts/bash-completion/vserver $(DESTDIR)$(completiondir)/vserver
	install -m 644 initscripts/modules-load.d/vserver.conf $(DESTDIR)$(modulesloaddir)/vserver.conf
	# bash-completion loads a command's completion by the command's name.
	for tool in $(filter-out vserver vps,$(TOOLS)); do \
		ln -sf vserver $(DESTDIR)$(completiondir)/$$tool || exit; \
	done
	# An admin's settings stay as they are.
	[ -e $(DESTDIR)$(sysconfdir)/default/vservers-default ] || \
		install -m 644 initscripts/default-vservers-default \
			$(DESTDIR)$(sysconfdir)/default/vservers-default

# Leaves the configuration: $(sysconfdir)/vservers and the init script's
# settings are the admin's.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(sbindir)/,$(TOOLS)) \
		$(addprefix $(DESTDIR)$(mandir)/man8/,$(notdir $(MAN8))) \
		$(DESTDIR)$(mandir)/man5/$(notdir $(MAN5)) \
		$(DESTDIR)$(initdir)/vservers-default \
		$(addprefix $(DESTDIR)$(unitdir)/,$(UNITS)) \
		$(DESTDIR)$(modulesloaddir)/vserver.conf \
		$(addprefix $(DESTDIR)$(completiondir)/,$(filter-out vps,$(TOOLS)))

# dpkg-buildpackage works in a copy of the tree (without build/ and .git)
# and leaves the packages next to it: the tree stays clean, and the
# packages land in build/deb.
deb:
	rm -rf $(DEB)
	mkdir -p $(DEB)/src
	rsync -a --exclude=/build/ --exclude=.git ./ $(DEB)/src/
	cd $(DEB)/src && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB)/src

check-deb: deb
	lintian --fail-on error $(DEB)/*.changes

# The distribution kernel as Debian packages (docs/admin-guide.md).
kernel-deb:
	scripts/build-kernel --distro $(KERNEL_DISTRO)
	scripts/kernel-deb $(KERNEL_DISTRO) $(KERNEL_DEB)

check-kernel-deb: kernel-deb
	lintian --fail-on error $(KERNEL_DEB)/*.deb

# The packages on a real Debian host: testvm/check-host (docs/testing.md).
check-host: kernel-deb deb
	testvm/check-host $(KERNEL_DEB) $(DEB) $(BUILD)/check-host

# The same host with sysvinit instead of systemd.
check-host-sysv: kernel-deb deb
	testvm/check-host --sysv $(KERNEL_DEB) $(DEB) $(BUILD)/check-host-sysv

clean:
	rm -rf $(USERLAND) $(BUILD)/kmod $(BUILD)/kmod-distro $(BUILD)/testvm $(BUILD)/testvm-distro \
		$(KMOD_BENCH) $(BENCH) $(DEB) $(KERNEL_DEB)

distclean:
	rm -rf $(BUILD)

.PHONY: all deps userland kernel kmod vstest initramfs unit-tests check check-debootstrap demo kernel-bench \
	kmod-bench initramfs-bench bench checkpatch install uninstall deb check-deb kernel-deb check-kernel-deb check-host check-host-sysv man clean \
	distclean
