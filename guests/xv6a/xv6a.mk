# xv6a.mk: builds xv6a twice from one source: out/guests/xv6a.elf (a vmos guest:
# pv_vmos.c) and out/xv6a/xv6a-bare.elf (bare QEMU: pv_bare.c, -DBARE).
XV6A_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
               -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
               -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -I. -Iguests/xv6a -MD
XV6A_COMMON := console exec kalloc main proc string syscall sysproc trap vm
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
$(eval $(call XV6A_BUILD,guest,,pv_vmos))
$(eval $(call XV6A_BUILD,bare,-DBARE,pv_bare))

# Built-in user programs (until the file system): linked at 0, embedded whole.
XV6A_UFLAGS := -m32 -std=gnu11 -O2 -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
               -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -MD
XV6A_PROGS := init
$(OUT)/xv6a/user0/%.o: guests/xv6a/user0/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(XV6A_UFLAGS) -c -o $@ $<
$(OUT)/xv6a/user0/stubs.o: guests/xv6a/user0/stubs.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -Wa,--noexecstack -c -o $@ $<
$(OUT)/xv6a/user0/_%: $(OUT)/xv6a/user0/%.o $(OUT)/xv6a/user0/stubs.o
	$(LD) -m elf_i386 -N -e main -Ttext 0 -z noexecstack --no-warn-rwx-segments -o $@ $^
$(OUT)/xv6a/images.o: $(patsubst %,$(OUT)/xv6a/user0/_%,$(XV6A_PROGS))
	cd $(OUT)/xv6a/user0 && $(LD) -m elf_i386 -r -b binary -z noexecstack -o ../images_bin.o $(patsubst %,_%,$(XV6A_PROGS))
	{ echo 'struct image { const char *name; const char *start, *end; };'; \
	  $(foreach p,$(XV6A_PROGS),echo 'extern const char _binary__$(p)_start[], _binary__$(p)_end[];';) \
	  echo 'const struct image xv6a_images[] = {'; \
	  $(foreach p,$(XV6A_PROGS),echo '  { "$(p)", _binary__$(p)_start, _binary__$(p)_end },';) \
	  echo '  { 0, 0, 0 } };'; } > $(OUT)/xv6a/images.c
	$(CC) $(XV6A_CFLAGS) -c -o $(OUT)/xv6a/images_tab.o $(OUT)/xv6a/images.c
	$(LD) -m elf_i386 -r -o $@ $(OUT)/xv6a/images_bin.o $(OUT)/xv6a/images_tab.o

$(OUT)/guests/xv6a.elf: $(XV6A_OBJS_guest) $(OUT)/xv6a/images.o guests/xv6a/kernel.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -z noexecstack -T guests/xv6a/kernel.ld -o $@ $(XV6A_OBJS_guest) $(OUT)/xv6a/images.o
$(OUT)/xv6a/xv6a-bare.elf: $(XV6A_OBJS_bare) $(OUT)/xv6a/images.o guests/xv6a/kernel.ld
	$(LD) -m elf_i386 -nostdlib -z noexecstack -T guests/xv6a/kernel.ld -o $@ $(XV6A_OBJS_bare) $(OUT)/xv6a/images.o

GUEST_IMAGES += $(OUT)/guests/xv6a.elf
all: $(OUT)/xv6a/xv6a-bare.elf

# xv6a alone on bare QEMU, in ring 0: the baseline every guest figure is compared to.
qemu-xv6a-bare: $(OUT)/xv6a/xv6a-bare.elf
	$(QEMU) -kernel $< -m 32 -display none -serial mon:stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04
.PHONY: qemu-xv6a-bare
.SECONDARY: $(patsubst %,$(OUT)/xv6a/user0/%.o,$(XV6A_PROGS))
