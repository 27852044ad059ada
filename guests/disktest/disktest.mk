# disktest.mk: the disk test guest (guests/disktest), flat like mini, and its
# variant disktest-pv that uses HC_BLOCK_IO.
DISKTEST_OBJS := $(OUT)/disktest/entry.o $(OUT)/disktest/disktest.o
$(OUT)/disktest/entry.o: guests/disktest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/disktest/disktest.o: guests/disktest/disktest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/disktest/disktest-pv.o: guests/disktest/disktest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -DDISKTEST_PV -c -o $@ $<
$(OUT)/guests/disktest.elf $(OUT)/guests/disktest-pv.elf: $(OUT)/guests/%.elf: $(OUT)/disktest/%.o $(OUT)/disktest/entry.o guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(OUT)/disktest/entry.o $<
GUEST_IMAGES += $(OUT)/guests/disktest.elf $(OUT)/guests/disktest-pv.elf
-include $(DISKTEST_OBJS:.o=.d)
