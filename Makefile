# Makefile: every way to build, run, test and debug vmos. `make help` lists them.
# Everything built goes to out/: out/vmos is the image (the name vmos/ at the top
# is the monitor's source directory), with out/vmos.asm and out/vmos.sym beside it.

SHELL   := /bin/bash
OUT     := out
CC      := gcc
LD      := ld
NM      := nm
OBJDUMP := objdump
QEMU    := qemu-system-i386
GDB     := gdb
PYTHON  := python3

# Host kernel: freestanding 32-bit x86, no libc, frame pointers kept for backtraces.
CFLAGS  := -m32 -std=gnu11 -O2 -g -Wall -Werror -ffreestanding -nostdinc -fno-builtin \
           -fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
           -fno-asynchronous-unwind-tables -fno-strict-aliasing -mno-sse -mno-mmx \
           -I. -Ikernel -MD
ASFLAGS := -m32 -g -I. -Ikernel -MD -Wa,--noexecstack
LDFLAGS := -m elf_i386 -nostdlib -no-pie -T kernel/kernel.ld

KERNEL_SRCS := $(wildcard kernel/*.c kernel/*.S)
VMOS_SRCS   := $(wildcard vmos/*.c vmos/*.S)
OBJS := $(patsubst %,$(OUT)/obj/%.o,$(basename $(KERNEL_SRCS) $(VMOS_SRCS)))

# Running: memory, CPUs and the boot line (see README.md).
MEM   ?= 128
CPUS  ?= 1
BOOT  ?=
GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)
GDBINIT ?= .gdbinit
QEMUOPTS = -kernel $(IMAGE) -m $(MEM) -smp $(CPUS) -append "$(BOOT)" \
           -device isa-debug-exit,iobase=0xf4,iosize=0x04

.PHONY: all deps qemu qemu-nox qemu-gdb qemu-nox-gdb gdb gdbinit test grade clean help
IMAGE := $(OUT)/vmos
all: $(IMAGE) $(IMAGE).asm $(IMAGE).sym

# Every make first checks (as root: installs) the tools it needs.
deps:
	@tools/checkdeps.sh

$(OUT)/obj/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OUT)/obj/%.o: %.S | deps
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c -o $@ $<

# Backtraces print symbol names: link once with an empty table, take the first
# link's symbols into the table, link again. Text comes before the table in
# kernel/kernel.ld, so no function moves; the check below makes sure.
$(OUT)/ksyms0.S: tools/mksyms.sh
	@mkdir -p $(@D)
	tools/mksyms.sh < /dev/null > $@
$(OUT)/vmos.pass1: $(OBJS) $(OUT)/ksyms0.o kernel/kernel.ld
	$(LD) $(LDFLAGS) -o $@ $(OBJS) $(OUT)/ksyms0.o
$(OUT)/ksyms.S: $(OUT)/vmos.pass1 tools/mksyms.sh
	$(NM) -n $< | tools/mksyms.sh > $@
$(IMAGE): $(OBJS) $(OUT)/ksyms.o kernel/kernel.ld
	$(LD) $(LDFLAGS) -o $@ $(OBJS) $(OUT)/ksyms.o
	@cmp -s <($(NM) -n $(OUT)/vmos.pass1 | grep ' [tT] ') <($(NM) -n $@ | grep ' [tT] ') || \
	  { echo "vmos: text moved between the two links; see kernel/kernel.ld" >&2; rm -f $@; exit 1; }

$(IMAGE).asm: $(IMAGE)
	$(OBJDUMP) -S $< > $@
$(IMAGE).sym: $(IMAGE)
	$(NM) -n $< > $@

# ---- running ----
# `make qemu` opens a window (VGA) and keeps the serial console in this terminal;
# without a display it falls back to qemu-nox. Ctrl-A X quits QEMU.
qemu: all
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "*** no display: running without a window (make qemu-nox)"; \
	  $(QEMU) $(QEMUOPTS) -display none -serial mon:stdio; \
	else \
	  $(QEMU) $(QEMUOPTS) -serial mon:stdio; \
	fi
qemu-nox: all
	$(QEMU) $(QEMUOPTS) -display none -serial mon:stdio

# ---- debugging ----
gdbinit:
	@sed "s/@GDBPORT@/$(GDBPORT)/" tools/gdbinit.tmpl > $(GDBINIT)
qemu-gdb: all gdbinit
	@echo "*** Now run 'make gdb' in another terminal (gdb port $(GDBPORT))."
	$(QEMU) $(QEMUOPTS) -serial mon:stdio -S -gdb tcp::$(GDBPORT)
qemu-nox-gdb: all gdbinit
	@echo "*** Now run 'make gdb' in another terminal (gdb port $(GDBPORT))."
	$(QEMU) $(QEMUOPTS) -display none -serial mon:stdio -S -gdb tcp::$(GDBPORT)
gdb: gdbinit | deps
	$(GDB) -q -iex "add-auto-load-safe-path $(CURDIR)/$(GDBINIT)" -x $(GDBINIT)

# ---- grading ----
# make test: every suite (grade/suites.txt). make grade LAB=n: one lab's grader.
JOBS ?= $(shell nproc)
test: all
	$(PYTHON) grade/grade.py -j $(JOBS)
grade: all
	$(PYTHON) grade/grade.py -j $(JOBS) $(if $(LAB),lab$(LAB))

clean:
	rm -rf $(OUT) .gdbinit

help:
	@echo "make             build out/vmos (and out/vmos.asm, out/vmos.sym)"
	@echo "make qemu        boot it: VGA window + serial console here (BOOT=\"...\" sets the boot line)"
	@echo "make qemu-nox    boot it on this terminal only (Ctrl-A X quits)"
	@echo "make qemu-gdb    boot and wait for gdb; qemu-nox-gdb without a window"
	@echo "make gdb         gdb attached to a waiting QEMU, with vmos's symbols"
	@echo "make test        build and run every test"
	@echo "make grade       the student-facing grader (LAB=n for one lab)"
	@echo "make clean       remove what make built"

# Guests: each fragment adds its images to GUEST_IMAGES.
GUEST_IMAGES :=
-include guests/mini/mini.mk

-include $(OBJS:.o=.d) $(OUT)/ksyms.d $(OUT)/ksyms0.d
