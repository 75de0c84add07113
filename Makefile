# vserver toolkit: Linux-VServer style contexts for Linux 6.1.
#
#   make deps      install the Debian packages everything needs
#   make           build the userland tools (build/userland/bin)
#   make kernel    build the patched test kernel (build/kernel/bzImage)
#   make kmod      build vserver.ko against it (build/kmod/vserver.ko)
#   make check     unit tests, checkpatch, then the VM suites
#   make check-debootstrap  build a Debian guest here (needs the Debian
#                  archive, so not part of make check) and run it in the VM
#   make demo      boot the VM and show a process moving into a context
#   make clean     remove build/ except the kernel tree (make distclean: all)

BUILD := $(CURDIR)/build
KERNEL := $(BUILD)/kernel
USERLAND := $(BUILD)/userland
KMOD := $(BUILD)/kmod
TESTVM := $(BUILD)/testvm

all: userland

deps:
	scripts/deps

userland:
	$(MAKE) -C util-vserver O=$(USERLAND)

kernel:
	scripts/build-kernel $(KERNEL)

# The module is built in a copy of kmod/ so the source tree stays clean.
kmod: kernel
	@mkdir -p $(KMOD)
	rsync -a --delete $(foreach p,*.o *.ko *.mod *.mod.c .*.cmd Module.symvers modules.order,--filter='P $(p)') kmod/ $(KMOD)/
	$(MAKE) -s -C $(KERNEL)/linux M=$(KMOD) modules

$(TESTVM)/vstest: $(wildcard testvm/probe/*.cc testvm/probe/*.h) userland
	@mkdir -p $(@D)
	$(CXX) -std=c++20 -O2 -g -Wall -Wextra -Werror -Iutil-vserver/lib -Ikmod/include/uapi \
		-o $@ $(filter %.cc,$^) $(USERLAND)/libvserver.a -lmnl -lpopt

initramfs: userland kmod $(TESTVM)/vstest
	testvm/build-initramfs $(TESTVM)/initramfs.cpio.gz $(KERNEL)/linux \
		$(KMOD)/vserver.ko $(USERLAND)/bin $(TESTVM)/vstest

check: initramfs
	scripts/check

check-debootstrap: initramfs
	testvm/check-debootstrap $(KERNEL)/bzImage $(TESTVM)/initramfs.cpio.gz $(USERLAND)/bin \
		$(BUILD)/debootstrap

demo: initramfs
	testvm/run --demo $(KERNEL)/bzImage $(TESTVM)/initramfs.cpio.gz $(TESTVM)

checkpatch: kernel
	scripts/checkpatch $(KERNEL)/linux

clean:
	rm -rf $(USERLAND) $(KMOD) $(TESTVM)

distclean:
	rm -rf $(BUILD)

.PHONY: all deps userland kernel kmod initramfs check check-debootstrap demo checkpatch clean distclean
