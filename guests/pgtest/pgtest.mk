# pgtest.mk: the paged test guest (guests/pgtest) and its variants: pgtest-bad
# (a page-table entry outside its memory), pgtest-ldt and pgtest-df (attacks on
# the host from a paged guest kernel, for grade/hostile.py).
PGTEST_VARIANTS := pgtest pgtest-bad pgtest-ldt pgtest-df
pgtest_define = $(if $(filter pgtest,$(1)),,-DPGTEST_$(shell echo $(subst pgtest-,,$(1)) | tr a-z A-Z))
PGTEST_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
                 -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
                 -mno-sse -mno-mmx -I. -MD

$(OUT)/pgtest/entry.o: guests/pgtest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(foreach v,$(PGTEST_VARIANTS),$(eval $(OUT)/pgtest/$(v).o: guests/pgtest/pgtest.c | deps ; \
  @mkdir -p $$(@D) && $$(CC) $$(PGTEST_CFLAGS) $(call pgtest_define,$(v)) -c -o $$@ $$<))
$(patsubst %,$(OUT)/guests/%.elf,$(PGTEST_VARIANTS)): $(OUT)/guests/%.elf: $(OUT)/pgtest/%.o $(OUT)/pgtest/entry.o guests/pgtest/pgtest.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/pgtest/pgtest.ld -o $@ $(OUT)/pgtest/entry.o $<

GUEST_IMAGES += $(patsubst %,$(OUT)/guests/%.elf,$(PGTEST_VARIANTS))
-include $(OUT)/pgtest/*.d
