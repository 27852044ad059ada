# trapbad.mk: test PC kernels for trap mode (guests/trapbad, grade/trapemu.py),
# paged like pgtest, with a multiboot header: trapio (the decoder's forms) and
# the hostile trapbad-* variants.
TRAPBAD_VARIANTS := trapbad-idt trapbad-tss trapbad-sel
trapbad_define = -DTRAPBAD_$(shell echo $(subst trapbad-,,$(1)) | tr a-z A-Z)
$(OUT)/trapbad/entry.o: guests/trapbad/entry.S | deps
	@mkdir -p $(@D)
	$(CC) -m32 -g -I. -MD -Wa,--noexecstack -c -o $@ $<
$(foreach v,$(TRAPBAD_VARIANTS),$(eval $(OUT)/trapbad/$(v).o: guests/trapbad/trapbad.c | deps ; \
  @mkdir -p $$(@D) && $$(CC) $$(PGTEST_CFLAGS) $(call trapbad_define,$(v)) -c -o $$@ $$<))
$(patsubst %,$(OUT)/guests/%.elf,$(TRAPBAD_VARIANTS)): $(OUT)/guests/%.elf: $(OUT)/trapbad/%.o $(OUT)/trapbad/entry.o guests/trapbad/trapbad.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/trapbad/trapbad.ld -o $@ $(OUT)/trapbad/entry.o $<
$(OUT)/trapbad/trapio.o: guests/trapbad/trapio.c | deps
	@mkdir -p $(@D)
	$(CC) $(PGTEST_CFLAGS) -c -o $@ $<
$(OUT)/guests/trapio.elf: $(OUT)/trapbad/trapio.o $(OUT)/trapbad/entry.o guests/trapbad/trapbad.ld
	@mkdir -p $(@D)
	$(LD) -m elf_i386 -nostdlib -T guests/trapbad/trapbad.ld -o $@ $(OUT)/trapbad/entry.o $<
GUEST_IMAGES += $(patsubst %,$(OUT)/guests/%.elf,$(TRAPBAD_VARIANTS)) $(OUT)/guests/trapio.elf
-include $(OUT)/trapbad/*.d
