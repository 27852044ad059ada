# pctest.mk: the virtual PC's test guest (guests/pctest), flat like irqtest,
# and its variant pctest-fuzz (-DPCTEST_FUZZ: random accesses to the PC's
# ports, then the devices set up again and working).
PCTEST_OBJS := $(OUT)/pctest/entry.o $(OUT)/pctest/pctest.o $(OUT)/pctest/pctest-fuzz.o
$(OUT)/pctest/pctest.o: guests/pctest/pctest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/pctest/pctest-fuzz.o: guests/pctest/pctest.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -DPCTEST_FUZZ -c -o $@ $<
$(OUT)/pctest/entry.o: guests/pctest/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/guests/pctest.elf $(OUT)/guests/pctest-fuzz.elf: $(OUT)/guests/%.elf: $(OUT)/pctest/%.o $(OUT)/pctest/entry.o guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(OUT)/pctest/entry.o $<
GUEST_IMAGES += $(OUT)/guests/pctest.elf $(OUT)/guests/pctest-fuzz.elf
-include $(PCTEST_OBJS:.o=.d)
