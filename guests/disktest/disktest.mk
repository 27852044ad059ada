# disktest.mk: the trap-mode disk test guest (guests/disktest), flat like mini.
DISKTEST_OBJS := $(OUT)/disktest/entry.o $(OUT)/disktest/disktest.o
$(OUT)/disktest/entry.o: guests/disktest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/disktest/disktest.o: guests/disktest/disktest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/guests/disktest.elf: $(DISKTEST_OBJS) guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(DISKTEST_OBJS)
GUEST_IMAGES += $(OUT)/guests/disktest.elf
-include $(DISKTEST_OBJS:.o=.d)
