# xv6a.mk: builds xv6a three ways from one source: out/guests/xv6a.elf (a vmos
# guest, paravirtual: pv_vmos.c), out/xv6a/xv6a-bare.elf (bare QEMU: pv_bare.c,
# -DBARE) and out/guests/xv6a-trap.elf (a vmos guest in trap mode, a PC kernel
# whose privileged instructions the host emulates: pv_trap.c, -DTRAP).
XV6A_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
               -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
               -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -I. -Iguests/xv6a -MD
XV6A_COMMON := balloon bio console exec file fs ide kalloc log main pipe proc sleeplock string \
               syscall sysfile sysproc trap uart vm
XV6A_ASM := entry swtch trapasm

define XV6A_BUILD
$(OUT)/xv6a/$(1)/%.o: guests/xv6a/%.c | deps
	@mkdir -p $$(@D)
	$$(CC) $$(XV6A_CFLAGS) $(2) -c -o $$@ $$<
$(OUT)/xv6a/$(1)/%.S.o: guests/xv6a/%.S | deps
	@mkdir -p $$(@D)
	$$(CC) -m32 -g -I. -Iguests/xv6a -MD -Wa,--noexecstack $(2) -c -o $$@ $$<
XV6A_OBJS_$(1) := $$(patsubst %,$(OUT)/xv6a/$(1)/%.o,$(XV6A_COMMON) $(3)) \
                  $$(patsubst %,$(OUT)/xv6a/$(1)/%.S.o,$(XV6A_ASM))
-include $$(XV6A_OBJS_$(1):.o=.d)
endef
$(eval $(call XV6A_BUILD,guest,,pv_vmos pv_direct))
$(eval $(call XV6A_BUILD,bare,-DBARE,pv_bare pv_plain multiboot pc))
$(eval $(call XV6A_BUILD,trap,-DTRAP,pv_trap pv_plain multiboot pc))

# User programs (user/xv6a): linked at 0, with -g so that gdb can show their
# source (out/xv6a/user/_NAME is the symbol file); the disk gets a copy without
# the debug sections (out/xv6a/fsroot/_NAME), which exec never reads. The user
# library is an archive linked after the program's objects, as a C library is:
# a member is taken only for what the program leaves undefined, so a program
# that defines printf itself (xv6's forktest does) keeps its own.
XV6A_UFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
               -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
               -Wno-infinite-recursion -Iguests/xv6a -Iuser/xv6a -MD
XV6A_PROGS := init sh cat echo grep kill ln ls mkdir rm wc forktest stressfs zombie ptest usertests \
              bench ownprintf growmem diskclock hostile spin heapswap
XV6A_ULIB_OBJS := $(patsubst %,$(OUT)/xv6a/user/%.o,ulib printf umalloc) $(OUT)/xv6a/user/usys.o
XV6A_ULIB := $(OUT)/xv6a/user/ulib.a
$(OUT)/xv6a/user/%.o: user/xv6a/%.c guests/xv6a/xv6a.mk | deps
	@mkdir -p $(@D)
	$(CC) $(XV6A_UFLAGS) -c -o $@ $<
$(OUT)/xv6a/user/usys.o: user/xv6a/usys.S guests/xv6a/xv6a.mk | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -Iguests/xv6a -Wa,--noexecstack -c -o $@ $<
$(XV6A_ULIB): $(XV6A_ULIB_OBJS)
	rm -f $@
	ar rcs $@ $^
$(OUT)/xv6a/user/_%: $(OUT)/xv6a/user/%.o $(XV6A_ULIB)
	$(LD) -m elf_i386 -N -e main -Ttext 0 -z noexecstack --no-warn-rwx-segments -o $@ $< $(XV6A_ULIB)
$(OUT)/xv6a/fsroot/_%: $(OUT)/xv6a/user/_%
	@mkdir -p $(@D)
	objcopy --strip-debug $< $@
.SECONDARY: $(patsubst %,$(OUT)/xv6a/user/%.o,$(XV6A_PROGS)) $(XV6A_ULIB_OBJS) \
            $(patsubst %,$(OUT)/xv6a/user/_%,$(XV6A_PROGS))

# mkfs runs on the host (tools/mkfs.c); each xv6a VM gets a copy of fs.img.
$(OUT)/tools/mkfs: tools/mkfs.c guests/xv6a/fs.h guests/xv6a/param.h | deps
	@mkdir -p $(@D)
	gcc -O2 -Wall -Werror -I. -o $@ $<
$(OUT)/xv6a/fs.img: $(OUT)/tools/mkfs README.md $(patsubst %,$(OUT)/xv6a/fsroot/_%,$(XV6A_PROGS))
	$(OUT)/tools/mkfs $@ README.md $(patsubst %,$(OUT)/xv6a/fsroot/_%,$(XV6A_PROGS))
all: $(OUT)/xv6a/fs.img $(patsubst %,$(OUT)/xv6a/user/_%,$(XV6A_PROGS))

$(OUT)/guests/xv6a.elf: $(XV6A_OBJS_guest) guests/xv6a/kernel.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -z noexecstack -T guests/xv6a/kernel.ld -o $@ $(XV6A_OBJS_guest)
$(OUT)/xv6a/xv6a-bare.elf: $(XV6A_OBJS_bare) guests/xv6a/kernel.ld
	$(LD) -m elf_i386 -nostdlib -z noexecstack -T guests/xv6a/kernel.ld -o $@ $(XV6A_OBJS_bare)
$(OUT)/guests/xv6a-trap.elf: $(XV6A_OBJS_trap) guests/xv6a/kernel.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -z noexecstack -T guests/xv6a/kernel.ld -o $@ $(XV6A_OBJS_trap)

GUEST_IMAGES += $(OUT)/guests/xv6a.elf $(OUT)/guests/xv6a-trap.elf
all: $(OUT)/xv6a/xv6a-bare.elf

# xv6a alone on bare QEMU, in ring 0: the baseline every guest figure is compared to.
qemu-xv6a-bare: $(OUT)/xv6a/xv6a-bare.elf $(OUT)/xv6a/fs.img
	$(QEMU) -kernel $< -m 32 -display none -serial mon:stdio -snapshot \
	  -drive file=$(OUT)/xv6a/fs.img,format=raw,index=0 -device isa-debug-exit,iobase=0xf4,iosize=0x04
.PHONY: qemu-xv6a-bare
