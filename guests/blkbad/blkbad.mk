# blkbad.mk: the disk-ring test guest (guests/blkbad, lab 3), flat like
# disktest, whose entry and link script it shares.
$(OUT)/blkbad/blkbad.o: guests/blkbad/blkbad.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/guests/blkbad.elf: $(OUT)/blkbad/blkbad.o $(OUT)/disktest/entry.o guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(OUT)/disktest/entry.o $<
GUEST_IMAGES += $(OUT)/guests/blkbad.elf
-include $(OUT)/blkbad/blkbad.d
