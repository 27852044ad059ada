// vdev_console.c: each VM's virtual console. Output (HC_CONSOLE_WRITE) is
// collected per VM and printed a line at a time on the system console, tagged
// with the VM's name and id, `[mini.2] `, so interleaved guests stay readable.
// Input typed on the system console goes to the VM with focus (monitor `focus
// N`), which gets a virtual interrupt (VIRQ_CONSOLE) and reads it with
// HC_CONSOLE_READ.
#include "types.h"
#include "defs.h"
#include "vmos/abi.h"
#include "vmos/vm.h"
#include "vmos/vmos.h"

struct vm *focus;            // the VM that gets what is typed
static struct vm *open_line; // whose unfinished line is on the screen (a prompt)

// Print vm's buffered text; with newline, its line is complete.
static void
cons_show(struct vm *vm, int newline)
{
  vm->out[vm->nout] = 0;
  if (open_line && open_line != vm) {   // another VM's prompt: end it first
    kprintf("\n");
    open_line = 0;
  }
  if (open_line == vm)
    kprintf("%s", vm->out);
  else
    kprintf("[%s.%d] %s", vm->name, vm->id, vm->out);
  if (newline)
    kprintf("\n");
  open_line = newline ? 0 : vm;
  vm->nout = 0;
}

void
cons_flush(struct vm *vm)
{
  if (vm->nout > 0 || open_line == vm)
    cons_show(vm, 1);
}

// vm waits (for input, say) with an unfinished line: show it now, so that a
// prompt appears before the user types and what they type appears after it.
void
cons_show_partial(struct vm *vm)
{
  if (vm->nout > 0)
    cons_show(vm, 0);
}

void
cons_write(struct vm *vm, const char *buf, uint n)
{
  for (uint i = 0; i < n; i++) {
    char c = buf[i];
    if (c == '\n') {
      cons_show(vm, 1);
      continue;
    }
    if (c == '\r')
      continue;
    if (c == '\b' && vm->nout == 0 && open_line == vm) {
      kprintf("\b \b");          // rubbing out an echoed character
      continue;
    }
    if (c == '\b' && vm->nout > 0) {
      vm->nout--;
      continue;
    }
    if (c < ' ' && c != '\t')
      c = '?';                   // no escape sequences onto the host's console
    vm->out[vm->nout++] = c;
    if (vm->nout == CONS_LINE - 1)
      cons_flush(vm);
  }
}

// vm has stopped: what it printed last is shown, and if it had the keyboard,
// the next VM still running gets it (or the monitor, when none is left).
void
cons_stopped(struct vm *vm)
{
  cons_flush(vm);
  if (focus != vm)
    return;
  focus = 0;
  for (int k = 1; k <= nvms && focus == 0; k++) {
    struct vm *next = &vms[(vm->id - 1 + k) % nvms];
    if (next->state != VM_STOPPED && next->state != VM_FREE)
      focus = next;
  }
  if (focus)
    kprintf("vmos: input now goes to VM %d (%s.%d)\n", focus->id, focus->name, focus->id);
  else
    monitor_activate();
}

// A character typed to the VM with focus (interrupts off).
void
cons_input(int c)
{
  struct vm *vm = focus;
  if (vm == 0 || vm->state == VM_STOPPED || vm->state == VM_FREE)
    return;
  if (c == '\r')
    c = '\n';
  if (vm->in_w - vm->in_r < CONS_IN)
    vm->in[vm->in_w++ % CONS_IN] = c;
  irq_raise(vm, VIRQ_CONSOLE);
}

int
cons_read(struct vm *vm, char *buf, uint n)
{
  uint got = 0;
  while (got < n && vm->in_r != vm->in_w)
    buf[got++] = vm->in[vm->in_r++ % CONS_IN];
  return got;
}
