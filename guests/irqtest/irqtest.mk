# irqtest.mk: the interrupt test guest (guests/irqtest), flat like disktest.
IRQTEST_OBJS := $(OUT)/irqtest/entry.o $(OUT)/irqtest/irqtest.o
$(OUT)/irqtest/irqtest.o: guests/irqtest/irqtest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/irqtest/entry.o: guests/irqtest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/guests/irqtest.elf: $(IRQTEST_OBJS) guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(IRQTEST_OBJS)
GUEST_IMAGES += $(OUT)/guests/irqtest.elf
-include $(IRQTEST_OBJS:.o=.d)
