# bench.mk: builds the bench guest (guests/bench), included by the top Makefile.
BENCH_CFLAGS := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
                -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
                -mno-sse -mno-mmx -I. -MD
BENCH_OBJS := $(OUT)/bench/entry.o $(OUT)/bench/bench.o

$(OUT)/bench/%.o: guests/bench/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -c -o $@ $<
$(OUT)/bench/%.o: guests/bench/%.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(OUT)/guests/bench.elf: $(BENCH_OBJS) guests/bench/bench.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/bench/bench.ld -o $@ $(BENCH_OBJS)

GUEST_IMAGES += $(OUT)/guests/bench.elf
-include $(BENCH_OBJS:.o=.d)
