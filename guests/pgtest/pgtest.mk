# pgtest.mk: the paged test guest (guests/pgtest) and its variant pgtest-bad.
PGTEST_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
                 -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
                 -mno-sse -mno-mmx -I. -MD

$(OUT)/pgtest/entry.o: guests/pgtest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/pgtest/pgtest.o: guests/pgtest/pgtest.c | deps
	@mkdir -p $(@D)
	$(CC) $(PGTEST_CFLAGS) -c -o $@ $<
$(OUT)/pgtest/pgtest-bad.o: guests/pgtest/pgtest.c | deps
	@mkdir -p $(@D)
	$(CC) $(PGTEST_CFLAGS) -DPGTEST_BAD -c -o $@ $<
$(OUT)/guests/pgtest.elf $(OUT)/guests/pgtest-bad.elf: $(OUT)/guests/%.elf: $(OUT)/pgtest/%.o $(OUT)/pgtest/entry.o guests/pgtest/pgtest.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/pgtest/pgtest.ld -o $@ $(OUT)/pgtest/entry.o $<

GUEST_IMAGES += $(OUT)/guests/pgtest.elf $(OUT)/guests/pgtest-bad.elf
-include $(OUT)/pgtest/*.d
