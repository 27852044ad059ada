# pctest.mk: the virtual PC's test guest (guests/pctest), flat like irqtest.
PCTEST_OBJS := $(OUT)/pctest/entry.o $(OUT)/pctest/pctest.o
$(OUT)/pctest/pctest.o: guests/pctest/pctest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/pctest/entry.o: guests/pctest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/guests/pctest.elf: $(PCTEST_OBJS) guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(PCTEST_OBJS)
GUEST_IMAGES += $(OUT)/guests/pctest.elf
-include $(PCTEST_OBJS:.o=.d)
