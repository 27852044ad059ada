// vmos.h: functions of the VM monitor (vmos/), grouped by the file that defines
// them: a map of vmos/. kernel/defs.h is the map of the layer below.
#ifndef VMOS_VMOS_H
#define VMOS_VMOS_H
#include "types.h"

struct vm;
struct trapframe;

// balloon.c
int         hv_balloon(struct vm *vm, u32 op, u32 gva, u32 n);
int         balloon_set_target(struct vm *vm, u32 bytes);
int         balloon_gave(struct vm *vm, u32 gpa);
uint        balloon_pages_out(void);

// boot.c
void        vmos_boot(void);                 // create the VMs the boot line names

// direct.c
int         direct_init(struct vm *vm);
void        direct_free(struct vm *vm);
int         direct_translate(struct vm *vm, u32 gva, int write, u32 *gpa);
int         direct_fault(struct vm *vm, u32 va, u32 err);
int         direct_update(struct vm *vm, struct trapframe *tf);
int         direct_pin(struct vm *vm, u32 op, u32 gpa);
int         direct_set_pgdir(struct vm *vm, u32 gpa, u32 esp1);
int         direct_flush(struct vm *vm);

// emul/emul.c, emul/desc.c (the rest of vmos/emul/ is its own: emul/emul.h)
int         emulate(struct vm *vm);
int         emul_attach(struct vm *vm);
int         emul_int_first(struct vm *vm);
int         desc_esp1(struct vm *vm);

// fpu.c
void        fpu_init(void);
void        fpu_enter(struct vm *vm);
int         fpu_trap(struct vm *vm);
void        fpu_forget(struct vm *vm);

// hcall.c
void        hcall(struct vm *vm);
int         trap_set(struct vm *vm, u32 vector, u32 handler, u32 flags);
#define MARK_LABEL_MAX 31                    // a mark's label: at most so many characters
void        vm_mark(struct vm *vm, const char *label, int n);
                                             // print `vmos: mark N LABEL: counters` (n bytes
                                             // of label, cut and sanitized): HC_MARK, port 0xE9

// handback.c
int         irq_invoke(struct vm *vm, u32 irq);
int         irq_eoi(struct vm *vm, u32 irq);
void        irq_swallow_check(struct vm *vm, int leaving);

// idle.c
extern int idle_spin;
int         vm_idle(struct vm *vm, u32 deadline);
void        idle_tick(void);

// irq.c
void        irq_pend(struct vm *vm, int virq);
void        irq_raise(struct vm *vm, int virq);
int         irq_deliver(struct vm *vm);
void        irq_tick(void);
void        irq_timer_enter(struct vm *vm);      // its timer, caught up before it runs

// load.c
int         load_guest(struct vm *vm, const char *image);
void        load_list(void);

// monitor.c
void        monitor_init(int active);
void        monitor_poll(void);
void        monitor_activate(void);
int         monitor_active(void);
int         monitor_input(int c);

// reflect.c
int         reflect(struct vm *vm, int vector, int has_err, u32 err, int reason);

// sched.c
extern struct vm *current;
extern uint quantum;
extern uint world_switches;
extern uint sched_turns, sched_looked;   // the round robin's turns, VMs its scans looked at
extern uint idle_ticks;
void        sched_init(void);
void        sched_run(void) __attribute__((noreturn));
void        sched_tick(void);
void        sched_prefer(struct vm *vm);

// shadow.c
int         shadow_translate(struct vm *vm, u32 gva, int write, u32 *gpa);
int         shadow_fault(struct vm *vm, u32 va, u32 *err);
void        shadow_flush(struct vm *vm);
void        shadow_new_pgdir(struct vm *vm);
void        shadow_invlpg(struct vm *vm, u32 va);
void        shadow_gpa_write(struct vm *vm, u32 gpa);
void        shadow_free(struct vm *vm);

// share.c
u32         share_zero_pa(void);
void        share_map_zero(struct vm *vm, pte_t *pte);
int         share_own_all(struct vm *vm);
void*       share_break(struct vm *vm, u32 gpa, pte_t *pte);
void        share_drop(struct vm *vm, pte_t *pte);
int         share_scan(int verbose);
uint        share_saved(void);
void        share_mem(void);

// stats.c
void        stats_list(void);
void        stats_print(void);
void        stats_list_range(int lo, int hi);    // VMs with ids lo..hi
void        stats_print_range(int lo, int hi);

// switcher.c
void        sw_init(void);
int         sw_vm_init(struct vm *vm);
void        sw_vm_free(struct vm *vm);
uint        sw_vm_pages(struct vm *vm);          // its own pages of the region (`mem`)
void        sw_idt_settle(struct vm *vm);        // share its IDT if it has settled
extern uint idt_pages_shared;                    // pages that saves (`mem`)
void        sw_enter(struct vm *vm);
void        sw_idt_set(struct vm *vm, int vector, int dpl);
void        sw_idt_direct(struct vm *vm, int vector, u32 handler, int dpl);
extern uint cr3_loads;

// vdev_console.c
void        cons_write(struct vm *vm, const char *buf, uint n);
void        cons_flush(struct vm *vm);
void        cons_show_partial(struct vm *vm);
void        cons_input(int c);
void        cons_stopped(struct vm *vm);
int         cons_read(struct vm *vm, char *buf, uint n);
uint        cons_take(struct vm *vm, uint n);
void        cons_hold(void);
void        cons_release(void);
void        cons_focus(struct vm *vm);
void        cons_log(struct vm *vm);
void        cons_stats(int lo, int hi);         // VMs with ids lo..hi
extern struct vm *focus;

// vdev_disk.c
int         vdev_claims(struct vm *vm, u16 port);
u32         vdev_in(struct vm *vm, u16 port, int size);
void        vdev_out(struct vm *vm, u16 port, int size, u32 v);
int         vdev_data(struct vm *vm, u16 port, int in, char *p, int n, int size);
int         vdisk_attach(struct vm *vm, int drive, int mode);
void        vdisk_irq(int channel);
int         vdisk_irqno(struct vm *vm);
int         vdisk_port(struct vm *vm);
int         vdisk_block(struct vm *vm, u32 sector, u32 buf, u32 n, int write);

// vdev_blkring.c
int         blkring_setup(struct vm *vm, u32 gva);
int         blkring_notify(struct vm *vm);

// vdev_serial.c
int         vserial_attach(struct vm *vm);
int         vserial_owned(struct vm *vm);
int         vserial_requesting(void);

// vidt.c
void        vidt_init(void);
u32         vidt_guest_irqs(void);
void        vidt_set(struct vm *vm, int v);
void        vidt_build(struct vm *vm);

// vm.c
struct vm*  vm_alloc(const char *name, u32 mem_size);
int         vm_make_flat(struct vm *vm);
void*       vm_gpa_page(struct vm *vm, u32 gpa);
void*       vm_gpa_page_write(struct vm *vm, u32 gpa);
pte_t*      vm_pmap_pte(struct vm *vm, u32 gpa);
int         vm_gpa_free(struct vm *vm, u32 gpa);
u32         vm_gpa_perm(struct vm *vm, u32 gpa, u32 perm);
int         vm_flat_fault(struct vm *vm, u32 va, u32 err);
void        pd_free_tables(pde_t *pd, int pages);
void        vm_discard(struct vm *vm);
void        vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void        vm_wake(struct vm *vm);
int         vm_copyin(struct vm *vm, void *dst, u32 gva, u32 n);
int         vm_copyout(struct vm *vm, u32 gva, const void *src, u32 n);
int         vm_range_ok(struct vm *vm, u32 gva, u32 n);
void*       vm_page(struct vm *vm, u32 gva, int write);
struct vm*  vm_byid(int id);
const char* vm_state_name(int state);

#endif
