# mini.mk: builds mini (guests/mini) and its test variants, included by the
# top Makefile. One kernel source, built once per variant with -DMINI_<VARIANT>;
# the tasks (user/mini) are built once and linked into every variant.
MINI_VARIANTS := mini mini-kdiv mini-wswitch mini-rhost mini-badptr mini-badstack mini-cli \
                 mini-fastbad
# The hostile suite's attackers (guests/mini/hostile.c, user/mini/hostile.c).
MINI_VARIANTS += mini-kldt mini-kdf mini-vcpu mini-idtpeek mini-fpu mini-diskover mini-repio \
                 mini-tattack
# Lab 2: a mini that keeps other VMs' interrupts instead of handing them back.
MINI_VARIANTS += mini-swallow
# Lab 3: a mini that makes 100,000 random hypercalls (the hostile suite).
MINI_VARIANTS += mini-fuzz
# ... and kernels that run every privileged instruction, or spin with the virtual IF off.
MINI_VARIANTS += mini-kpriv mini-vifspin
MINI_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
               -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
               -fno-asynchronous-unwind-tables -mno-sse -mno-mmx -I. -MD
MINI_KSRCS := $(wildcard guests/mini/*.c) guests/mini/entry.S
MINI_USRCS := $(wildcard user/mini/*.c)
MINI_UOBJS := $(patsubst user/mini/%.c,$(OUT)/mini/user/%.o,$(MINI_USRCS))
# Lab 3's idling (grade/idle.py, grade/bench_idle.py): a mini with no CPU-bound task,
# and one that tests HC_IDLE's deadline and races its wakeup before its tasks start.
MINI_VARIANTS += mini-idle mini-idletest
# The console suite's guests: one floods its console, one dresses its text as host lines.
MINI_VARIANTS += mini-flood
# The balloon suite's attackers (lab 4): bad HC_BALLOON batches, a touch of a page given.
MINI_VARIANTS += mini-balbad mini-baltouch
MINI_VARIANTS += mini-forge
# Page sharing (lab 4, grade/share.py): a mini with pages the same in every copy of it.
MINI_VARIANTS += mini-share

$(OUT)/mini/user/%.o: user/mini/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(MINI_CFLAGS) -c -o $@ $<

# mini-kdiv -> -DMINI_KDIV; mini -> nothing
mini_define = $(if $(filter mini,$(1)),,-DMINI_$(shell echo $(subst mini-,,$(1)) | tr a-z A-Z))

define MINI_VARIANT
$(OUT)/mini/k-$(1)/%.o: guests/mini/%.c | deps
	@mkdir -p $$(@D)
	$$(CC) $$(MINI_CFLAGS) $(call mini_define,$(1)) -c -o $$@ $$<
$(OUT)/mini/k-$(1)/%.S.o: guests/mini/%.S | deps
	@mkdir -p $$(@D)
	$$(CC) -m32 -g -I. -MD -Wa,--noexecstack $(call mini_define,$(1)) -c -o $$@ $$<
MINI_KOBJS_$(1) := $$(patsubst guests/mini/%.c,$(OUT)/mini/k-$(1)/%.o,$$(filter %.c,$$(MINI_KSRCS))) \
                   $(OUT)/mini/k-$(1)/entry.S.o
$(OUT)/guests/$(1).elf: $$(MINI_KOBJS_$(1)) $$(MINI_UOBJS) guests/mini/mini.ld
	@mkdir -p $$(@D)
	$$(LD) -m elf_i386 -nostdlib -T guests/mini/mini.ld -o $$@ $$(MINI_KOBJS_$(1)) $$(MINI_UOBJS)
-include $$(MINI_KOBJS_$(1):.o=.d)
endef
$(foreach v,$(MINI_VARIANTS),$(eval $(call MINI_VARIANT,$(v))))

GUEST_IMAGES += $(patsubst %,$(OUT)/guests/%.elf,$(MINI_VARIANTS))
-include $(MINI_UOBJS:.o=.d)
