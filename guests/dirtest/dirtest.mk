# dirtest.mk: the direct-paging test guest (guests/dirtest, grade/direct.py). It
# borrows pgtest's entry code and link script (guests/pgtest): the same kind of
# paged guest, linked like xv6a.
DIRTEST_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
                  -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
                  -mno-sse -mno-mmx -I. -MD

$(OUT)/dirtest/dirtest.o: guests/dirtest/dirtest.c | deps
	@mkdir -p $(@D)
	$(CC) $(DIRTEST_CFLAGS) -c -o $@ $<
$(OUT)/guests/dirtest.elf: $(OUT)/dirtest/dirtest.o $(OUT)/pgtest/entry.o guests/pgtest/pgtest.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/pgtest/pgtest.ld -o $@ $(OUT)/pgtest/entry.o $<

GUEST_IMAGES += $(OUT)/guests/dirtest.elf
-include $(OUT)/dirtest/*.d
